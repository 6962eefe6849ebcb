using System.Diagnostics;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// The content-addressed on-disk cache of compiled kernels, so a second process links the object files a first one
/// compiled instead of optimising and generating code again. An entry is the position-independent object file of one
/// LLVM IR module for this machine, named by the SHA-256 of everything that decides its code (<see cref="KernelCacheKey"/>).
/// The folder is <c>KILN_CACHE_DIR</c> when set, else <c>$XDG_CACHE_HOME/kiln/kernels</c>, else
/// <c>~/.cache/kiln/kernels</c>; <c>KILN_CACHE_DIR=off</c> disables it. The cache never fails a compilation and never
/// prints: a missing, truncated or corrupt entry is compiled again (and replaced), an unwritable folder means no caching;
/// <see cref="Statistics"/> counts both. Thread-safe, and safe for processes sharing a folder.
/// </summary>
public sealed class KernelCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string DirectoryVariable = "KILN_CACHE_DIR";

    /// <summary>The <see cref="DirectoryVariable"/> value that disables the cache (any case).</summary>
    public const string DisabledValue = "off";

    private const string EntryExtension = ".kernel";

    private static readonly Lazy<KernelCache> DefaultCache =
        new(() => new KernelCache(DirectoryFromEnvironment(Environment.GetEnvironmentVariable)), LazyThreadSafetyMode.ExecutionAndPublication);

    private long compiled, loaded, rejected, writeFailures, compileTicks, loadTicks;

    /// <summary>A cache in <paramref name="directory"/> (created on the first write), or a disabled cache for null.</summary>
    public KernelCache(string? directory)
    {
        Directory = directory is null ? null : Path.GetFullPath(directory);
    }

    /// <summary>The process's cache, in the folder the environment names (read once); what the kernel compiler uses.</summary>
    public static KernelCache Default => DefaultCache.Value;

    /// <summary>The cache folder, or null when the cache is disabled.</summary>
    public string? Directory { get; }

    /// <summary>Whether entries are read and written.</summary>
    public bool IsEnabled => Directory is not null;

    /// <summary>What this cache has done so far.</summary>
    public KernelCacheStatistics Statistics => new(
        Interlocked.Read(ref compiled), Interlocked.Read(ref loaded), Interlocked.Read(ref rejected), Interlocked.Read(ref writeFailures),
        TimeSpan.FromTicks(Interlocked.Read(ref compileTicks)), TimeSpan.FromTicks(Interlocked.Read(ref loadTicks)));

    /// <summary>
    /// The cache folder the environment names: <c>KILN_CACHE_DIR</c> (null when it is <c>off</c>), else
    /// <c>$XDG_CACHE_HOME/kiln/kernels</c> when that is an absolute path, else <c>$HOME/.cache/kiln/kernels</c>; null
    /// when none is set.
    /// </summary>
    /// <param name="variable">Reads an environment variable (null or "" when unset).</param>
    public static string? DirectoryFromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (variable(DirectoryVariable) is { Length: > 0 } explicitFolder)
            return string.Equals(explicitFolder.Trim(), DisabledValue, StringComparison.OrdinalIgnoreCase) ? null : explicitFolder;
        if (variable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
            return Path.Combine(xdg, "kiln", "kernels");
        return variable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache", "kiln", "kernels") : null;
    }

    /// <summary>The path of <paramref name="key"/>'s entry, or null when the cache is disabled.</summary>
    public string? EntryPath(KernelCacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Directory is null ? null : Path.Combine(Directory, key.Hash() + EntryExtension);
    }

    /// <summary>
    /// <paramref name="llvmIr"/>'s functions <paramref name="symbols"/> in the process's JIT: linked from this cache's
    /// entry when there is a whole one, else compiled for this machine (position independent, only the symbols exported)
    /// and stored. Each call links its own copy of the code (see <see cref="LlvmJit.LoadObject"/>).
    /// </summary>
    /// <exception cref="LlvmException">The IR does not compile, or its code does not link.</exception>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public LlvmCompiledModule Compile(string llvmIr, IReadOnlyList<string> symbols, LlvmCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(llvmIr);
        ArgumentNullException.ThrowIfNull(symbols);
        options ??= LlvmCompileOptions.Default;
        var clock = Stopwatch.StartNew();
        var key = KernelCacheKey.ForHost(llvmIr, symbols, options.PassPipeline);
        string? path = EntryPath(key);
        if (path is not null && TryRead(path, key) is { } cached)
        {
            try
            {
                var module = LlvmJit.Shared.LoadObject(cached, symbols, options.ModuleName);
                Count(ref loaded, ref loadTicks, clock);
                return module;
            }
            catch (LlvmException)
            {
                // A whole entry that LLVM refuses (written by another build of the linker?): compile and replace it.
                Interlocked.Increment(ref rejected);
            }
        }
        byte[] objectFile = LlvmObjectCompiler.EmitObject(llvmIr, LlvmJit.Shared.Target, options, symbols);
        var compiledModule = LlvmJit.Shared.LoadObject(objectFile, symbols, options.ModuleName);
        if (path is not null)
            TryWrite(path, key, objectFile);
        Count(ref compiled, ref compileTicks, clock);
        return compiledModule;
    }

    private byte[]? TryRead(string path, KernelCacheKey key)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref rejected);
            return null;
        }
        var objectFile = KernelCacheEntry.Decode(key.Hash(), file);
        if (objectFile is null)
            Interlocked.Increment(ref rejected);
        return objectFile;
    }

    private void TryWrite(string path, KernelCacheKey key, byte[] objectFile)
    {
        try
        {
            KernelCacheEntry.WriteAtomically(path, KernelCacheEntry.Encode(key.Hash(), objectFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A library does not print: an unwritable cache only means the next process compiles too.
            Interlocked.Increment(ref writeFailures);
        }
    }

    private static void Count(ref long counter, ref long ticks, Stopwatch clock)
    {
        Interlocked.Increment(ref counter);
        Interlocked.Add(ref ticks, clock.Elapsed.Ticks);
    }
}
