using System.Diagnostics;
using System.Management.Automation;
using SpatialSim.TorchCore;

namespace SpatialSim.Cmdlets;

/// <summary>
/// What every SpatialSim cmdlet shares: turning core exceptions into ErrorRecords with the right
/// category and target, cancellation on Ctrl+C, and progress with an ETA.
/// </summary>
public abstract class SpatialSimCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public static ErrorCategory CategoryOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.NotSupported => ErrorCategory.InvalidType,
        ErrorKind.LimitExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.Mismatch => ErrorCategory.InvalidData,
        ErrorKind.WriteConflict => ErrorCategory.ResourceExists,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// Running out of memory — .NET's OutOfMemoryException, or libtorch's allocator failing on the CPU ("can't allocate
    /// memory") or the GPU ("CUDA out of memory") — becomes a <see cref="ErrorKind.LimitExceeded"/> error that says what to do;
    /// any other exception is returned as it is.
    /// </summary>
    public static Exception ForPeople(Exception exception)
    {
        if (exception is SpatialSimException) return exception;
        string message = exception.Message ?? "";
        bool outOfMemory = exception is OutOfMemoryException ||
                           message.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ||
                           message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase) ||
                           message.Contains("cannot allocate memory", StringComparison.OrdinalIgnoreCase);
        if (!outOfMemory) return exception;
        bool gpu = message.Contains("CUDA", StringComparison.OrdinalIgnoreCase);
        return new SpatialSimException(ErrorKind.LimitExceeded,
            $"Ran out of {(gpu ? "GPU" : "")}{(gpu ? " " : "")}memory ({FirstLine(message)}). Make the rasters smaller with Import-GeneRaster -BinSize or -Region, " +
            "rank fewer genes at once (or in shards)" + (gpu ? ", or use -Device Cpu" : ", or lower the memory budget -MaxMemoryGB so the work is done in smaller tiles") + ".",
            exception);

        static string FirstLine(string text)
        {
            string line = text.Split('\n', 2)[0].Trim();
            return line.Length > 200 ? line[..200] + "…" : line;
        }
    }

    /// <summary>An ErrorRecord for any exception: core errors keep their message and category; I/O errors become ReadError/WriteError/PermissionDenied.</summary>
    protected static ErrorRecord ToErrorRecord(Exception exception, object? target, string errorId)
    {
        exception = ForPeople(exception);
        var category = exception switch
        {
            SpatialSimException s => CategoryOf(s.Kind),
            UnauthorizedAccessException => ErrorCategory.PermissionDenied,
            FileNotFoundException or DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
            IOException => ErrorCategory.ReadError,
            OperationCanceledException => ErrorCategory.OperationStopped,
            OutOfMemoryException => ErrorCategory.ResourceUnavailable,
            ArgumentException => ErrorCategory.InvalidArgument,
            _ => ErrorCategory.NotSpecified,
        };
        string id = exception is SpatialSimException se ? $"{errorId}.{se.Kind}" : $"{errorId}.{exception.GetType().Name}";
        return new ErrorRecord(exception, id, category, target);
    }

    /// <summary>A non-terminating error: this input is skipped, the pipeline goes on.</summary>
    protected void WriteFailure(Exception exception, object? target, string errorId) =>
        WriteError(ToErrorRecord(exception, target, errorId));

    /// <summary>A terminating error: the command stops.</summary>
    protected void ThrowFailure(Exception exception, object? target, string errorId) =>
        ThrowTerminatingError(ToErrorRecord(exception, target, errorId));

    /// <summary>Progress with percent and an ETA computed from the elapsed time; shown only once a step takes a while.</summary>
    protected sealed class ProgressReporter
    {
        private readonly SpatialSimCmdlet _cmdlet;
        private readonly ProgressRecord _record;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ProgressLog? _log;
        private long _lastShownMs = -1000;

        public ProgressReporter(SpatialSimCmdlet cmdlet, int activityId, string activity)
        {
            _cmdlet = cmdlet;
            _record = new ProgressRecord(activityId, activity, "starting");
            _log = ProgressLog.For(cmdlet, activity);  // lines in redirected (batch) logs, where a progress bar leaves nothing
        }

        public void Report(double fraction, string status)
        {
            _log?.Report(Math.Clamp(fraction, 0, 1), status);
            long ms = _clock.ElapsedMilliseconds;
            if (ms - _lastShownMs < 250) return;
            _lastShownMs = ms;
            fraction = Math.Clamp(fraction, 0, 1);
            _record.StatusDescription = status;
            _record.PercentComplete = (int)(fraction * 100);
            _record.SecondsRemaining = fraction > 0.01 ? (int)(ms / 1000.0 * (1 - fraction) / fraction) : -1;
            _cmdlet.WriteProgress(_record);
        }

        /// <summary>
        /// One more item of a stream whose length is unknown (rasters arriving through the pipeline): the count so far and
        /// what is being worked on, without a percentage.
        /// </summary>
        public void ReportItem(int done, string status)
        {
            _log?.Report(-1, $"{done} done; {status}");
            long ms = _clock.ElapsedMilliseconds;
            if (ms - _lastShownMs < 250) return;
            _lastShownMs = ms;
            _record.StatusDescription = $"{done} done; {status}";
            _record.PercentComplete = -1;
            _record.SecondsRemaining = -1;
            _cmdlet.WriteProgress(_record);
        }

        public void Complete()
        {
            _log?.Complete();
            _record.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(_record);
        }
    }
}
