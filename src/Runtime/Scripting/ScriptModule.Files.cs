using Kiln.Scripting;
using Kiln.Serialization;

namespace Kiln;

// Saving to and loading from .kiln files.
public sealed partial class ScriptModule
{
    /// <summary>
    /// Writes a <c>.kiln</c> file to <paramref name="path"/> (replacing any file there) holding every graph this module
    /// has made, keyed by its training modes and input signature (the latest is the entry), the parameters and buffers
    /// by state-dict name, the graphs' tensor constants and the training flags, for <see cref="Load(string)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No graph was made yet: call Forward once, or use <c>Jit.Script(module, example)</c>.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        KilnFile.Write(path, ScriptModuleFile.ToContents(this));
    }

    /// <summary><see cref="Save(string)"/> to <paramref name="stream"/>, from its current position.</summary>
    /// <inheritdoc cref="Save(string)"/>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        KilnFile.Write(stream, ScriptModuleFile.ToContents(this));
    }

    /// <summary>
    /// The module saved at <paramref name="path"/>: it runs the stored graphs (the one whose modes and input signature
    /// fit each call; symbolic dims take any size) with no model class and no frontend, on a module tree holding the
    /// stored parameters and buffers under their state-dict names, with the saved training flags. It trains like the
    /// saved one and writes the state its graphs update back into its buffers.
    /// </summary>
    /// <exception cref="KilnFormatException">The file is malformed or does not hold a saved ScriptModule.</exception>
    public static ScriptModule Load(string path) => ScriptModuleFile.FromContents(KilnFile.Read(path));

    /// <summary><see cref="Load(string)"/> from <paramref name="stream"/>, from its current position to its end.</summary>
    /// <inheritdoc cref="Load(string)"/>
    public static ScriptModule Load(Stream stream) => ScriptModuleFile.FromContents(KilnFile.Read(stream));
}
