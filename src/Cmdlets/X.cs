namespace SpatialSim.Cmdlets; public class X {}
