using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Progress for batch logs. Write-Progress draws a bar on an interactive console and leaves nothing in a file; with the
/// output redirected (a Slurm or cron log) a long step instead writes a line like
/// <c>[SpatialSim 00:00:40] Ranking gene pairs by SmoothedPearson: 45% (1,234/2,700: gene Cck), about 50 s left</c>
/// to the host (as Write-Host does: the information stream, tag PSHOST), the first after <see cref="FirstSeconds"/> s and
/// then at most every <see cref="IntervalSeconds"/> s, and a last line when the step ends — so a run longer than about
/// 10 s says where it is, at a bounded rate. Off when $ProgressPreference is SilentlyContinue or Ignore. The environment
/// variable SPATIALSIM_PROGRESS_LOG = 1 turns it on without redirection, 0 turns it off; SPATIALSIM_PROGRESS_LOG_SECONDS
/// sets both intervals (tests use a small value).
/// </summary>
public sealed class ProgressLog
{
    public const double FirstSeconds = 10;
    public const double IntervalSeconds = 30;
    public const string SwitchVariable = "SPATIALSIM_PROGRESS_LOG";
    public const string SecondsVariable = "SPATIALSIM_PROGRESS_LOG_SECONDS";

    private readonly PSCmdlet _cmdlet;
    private readonly string _activity;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly double _first, _interval;
    private double _next;
    private bool _wrote;

    private ProgressLog(PSCmdlet cmdlet, string activity, double first, double interval)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _first = first;
        _interval = interval;
        _next = first;
    }

    /// <summary>A log for <paramref name="activity"/> when progress goes to a log (see the class remarks), else null.</summary>
    public static ProgressLog? For(PSCmdlet cmdlet, string activity)
    {
        string? setting = Environment.GetEnvironmentVariable(SwitchVariable);
        bool on = setting switch { "1" => true, "0" => false, _ => Console.IsOutputRedirected };
        if (!on) return null;
        try
        {
            if (cmdlet.GetVariableValue("ProgressPreference") is ActionPreference p && p is ActionPreference.SilentlyContinue or ActionPreference.Ignore) return null;
        }
        catch (PSInvalidOperationException) { /* no session state (not running in a pipeline) */ }
        double first = FirstSeconds, interval = IntervalSeconds;
        if (double.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0)
            first = interval = s;
        return new ProgressLog(cmdlet, activity, first, interval);
    }

    /// <summary>Called with every progress update: writes a line when one is due. <paramref name="fraction"/> &lt; 0 when the total is unknown.</summary>
    public void Report(double fraction, string status)
    {
        double t = _clock.Elapsed.TotalSeconds;
        if (t < _next) return;
        _next = t + _interval;
        string done = fraction >= 0 ? $"{fraction:P0} ({status})" : status;
        string left = fraction > 0.01 && fraction < 1 ? $", about {Duration(t * (1 - fraction) / fraction)} left" : "";
        Write($"{_activity}: {done}{left}");
    }

    /// <summary>The step ended: a last line, if any was written.</summary>
    public void Complete()
    {
        if (_wrote) Write($"{_activity}: done in {Duration(_clock.Elapsed.TotalSeconds)}");
    }

    private void Write(string text)
    {
        _wrote = true;
        var stamp = _clock.Elapsed;
        _cmdlet.WriteInformation(new HostInformationMessage { Message = $"[SpatialSim {DateTime.Now:HH:mm:ss}] {text}" }, new[] { "PSHOST", "SpatialSim.Progress" });
    }

    /// <summary>"45 s", "3 min 20 s", "1 h 05 min".</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 90) return $"{seconds:0} s";
        if (seconds < 3600) return $"{(int)(seconds / 60)} min {(int)(seconds % 60):00} s";
        return $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60):00} min";
    }
}
