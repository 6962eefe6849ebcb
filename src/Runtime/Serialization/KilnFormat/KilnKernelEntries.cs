using Google.Protobuf;
using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Serialization.Proto;

namespace Kiln.Serialization;

/// <summary>
/// Converts a <c>.kiln</c> file's kernel library between <see cref="Codegen.Kernels.KernelLibrary"/> and its protobuf
/// message. Reading checks the library's bytes against the SHA-256 stored beside them, so damaged native code is a
/// format error and is never loaded.
/// </summary>
internal static class KilnKernelEntries
{
    public static Proto.KernelLibrary ToProto(Codegen.Kernels.KernelLibrary library)
    {
        var message = new Proto.KernelLibrary
        {
            Triple = library.Target.Triple,
            Cpu = library.Target.Cpu,
            Features = library.Target.Features,
            LlvmVersion = library.LlvmVersion,
            Library = ByteString.CopyFrom(library.Library),
            Sha256 = library.Sha256,
        };
        foreach (var symbol in library.Symbols)
            message.Symbols.Add(new KernelSymbol { Symbol = symbol.Symbol, Callee = symbol.Callee, Layout = symbol.Layout, IrSha256 = symbol.IrSha256 });
        return message;
    }

    public static Codegen.Kernels.KernelLibrary FromProto(Proto.KernelLibrary message)
    {
        if (message.Triple.Length == 0)
            throw KilnFormatException.Field("model.kernels.triple", "empty (a kernel library names its target)");
        if (message.Library.IsEmpty)
            throw KilnFormatException.Field("model.kernels.library", "empty");
        var symbols = new List<KernelLibrarySymbol>(message.Symbols.Count);
        for (int i = 0; i < message.Symbols.Count; i++)
        {
            var symbol = message.Symbols[i];
            if (symbol.Symbol.Length == 0 || symbol.IrSha256.Length != 64)
                throw KilnFormatException.Field($"model.kernels.symbols[{i}]", $"symbol '{symbol.Symbol}' with IR hash '{symbol.IrSha256}' (expected a name and 64 hex digits)");
            symbols.Add(new KernelLibrarySymbol(symbol.Symbol, symbol.Callee, symbol.Layout, symbol.IrSha256));
        }
        var library = new Codegen.Kernels.KernelLibrary(new LlvmTarget(message.Triple, message.Cpu, message.Features), message.LlvmVersion, message.Library.ToByteArray(), symbols);
        if (!string.Equals(library.Sha256, message.Sha256, StringComparison.OrdinalIgnoreCase))
            throw KilnFormatException.Field("model.kernels.sha256", $"the library's {message.Library.Length} bytes hash to {library.Sha256}, not the stored {message.Sha256} (the kernels are damaged)");
        return library;
    }
}
