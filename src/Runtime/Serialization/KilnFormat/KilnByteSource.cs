using System.IO.MemoryMappedFiles;

namespace Kiln.Serialization;

/// <summary>
/// Random access to the bytes of a <c>.kiln</c> file, whether it is memory-mapped or a seekable stream. Callers check
/// every range against <see cref="Length"/> before reading, so a read past the end means a bug, not bad input.
/// </summary>
internal abstract class KilnByteSource : IDisposable
{
    /// <summary>The number of bytes in the file.</summary>
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes starting at <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    /// <inheritdoc/>
    public virtual void Dispose()
    {
    }

    /// <summary>The bytes of a seekable stream from its position at construction to its end.</summary>
    public sealed class FromStream(Stream stream) : KilnByteSource
    {
        private readonly long start = stream.Position;

        public override long Length { get; } = stream.Length - stream.Position;

        public override void Read(long offset, Span<byte> destination)
        {
            stream.Position = start + offset;
            stream.ReadExactly(destination);
        }
    }

    /// <summary>The bytes of a file, through a read-only view of it mapped into memory.</summary>
    public sealed unsafe class Mapped : KilnByteSource
    {
        private readonly MemoryMappedFile file;
        private readonly MemoryMappedViewAccessor view;
        private readonly byte* start;

        public Mapped(FileStream stream)
        {
            Length = stream.Length;
            file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            start = pointer + view.PointerOffset;
        }

        public override long Length { get; }

        public override void Read(long offset, Span<byte> destination) =>
            new ReadOnlySpan<byte>(start + offset, destination.Length).CopyTo(destination);

        public override void Dispose()
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }
    }
}
