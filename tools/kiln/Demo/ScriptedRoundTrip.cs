using System.Diagnostics;

namespace Kiln.Cli.Demo;

/// <summary>What scripting the trained model, saving it and loading it back gave.</summary>
/// <param name="LoadedAccuracy">The loaded module's held-out accuracy.</param>
/// <param name="FileBytes">The size of the <c>.kiln</c> file.</param>
/// <param name="Elapsed">The time to script, save, load and evaluate.</param>
internal sealed record RoundTrip(double LoadedAccuracy, long FileBytes, TimeSpan Elapsed);

/// <summary>
/// The deployment path of the demo: the trained <see cref="DigitsNet"/> is compiled by <c>Jit.Script</c>, saved to a
/// <c>.kiln</c> file, loaded with <see cref="ScriptModule.Load(string)"/> (no model class behind it) and evaluated on
/// the held-out set.
/// </summary>
internal static class ScriptedRoundTrip
{
    /// <summary>
    /// Scripts and saves <paramref name="training"/>'s model to <paramref name="savePath"/> (kept), or to a temporary
    /// file deleted afterwards when it is null, loads it and measures its held-out accuracy.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written or read.</exception>
    /// <exception cref="ScriptException">The frontend cannot compile the model.</exception>
    internal static RoundTrip Run(DigitsTraining training, string? savePath)
    {
        var clock = Stopwatch.StartNew();
        string path = savePath ?? Path.Combine(Path.GetTempPath(), $"kiln-demo-{Guid.NewGuid():N}.kiln");
        try
        {
            training.Script().Save(path);
            var loaded = ScriptModule.Load(path);
            double accuracy = training.TestAccuracy(images => loaded.Forward(images));
            return new RoundTrip(accuracy, new FileInfo(path).Length, clock.Elapsed);
        }
        finally
        {
            if (savePath is null) File.Delete(path);
        }
    }
}
