using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln;

/// <summary>
/// A seeded source of random numbers for <see cref="Tensor.Rand(long[], DType?, Device?, Generator?)"/> and the
/// other random ops (<c>torch.Generator</c>). It is the counter-based Philox4x32-10 generator: the seed is
/// the key, and every random op reserves a range of 128-bit counter blocks, so results depend only on the
/// seed and the sequence of ops, never on how many threads fill a tensor.
/// </summary>
/// <remarks>
/// The same seed gives the same numbers on every run, but not the same numbers as PyTorch (its CPU generator
/// is a Mersenne Twister; matching its streams bit for bit is not a goal). Uniform and integer draws are
/// bit-identical on every machine; normal draws may differ in the last bit between CPUs, because their
/// logarithms and sines come from the platform's vectorised math. A generator is safe to share between threads.
/// </remarks>
public sealed class Generator
{
    /// <summary>The seed a generator starts from when none is given (PyTorch's default seed).</summary>
    public const long DefaultSeed = 67280421310721;

    private readonly Lock gate = new();
    private long seed;
    private ulong nextBlock;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Generator(long seed = DefaultSeed) => this.seed = seed;

    /// <summary>The seed this generator was last seeded with (<c>initial_seed()</c>).</summary>
    public long InitialSeed
    {
        get
        {
            lock (gate) return seed;
        }
    }

    /// <summary>Reseeds the generator and restarts its stream (<c>manual_seed</c>).</summary>
    /// <returns>This generator.</returns>
    public Generator ManualSeed(long newSeed)
    {
        lock (gate)
        {
            seed = newSeed;
            nextBlock = 0;
        }
        return this;
    }

    /// <summary>Reseeds the generator from a non-deterministic source (<c>seed()</c>).</summary>
    /// <returns>The new seed.</returns>
    public long Seed()
    {
        long fresh = System.Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        ManualSeed(fresh);
        return fresh;
    }

    /// <summary>The generator's state (its seed and position in the stream) as 16 bytes, for <see cref="SetState"/>.</summary>
    public byte[] GetState()
    {
        var state = new byte[StateSize];
        lock (gate)
        {
            BinaryPrimitives.WriteInt64LittleEndian(state, seed);
            BinaryPrimitives.WriteUInt64LittleEndian(state.AsSpan(8), nextBlock);
        }
        return state;
    }

    /// <summary>Restores a state produced by <see cref="GetState"/>, so the same numbers are drawn again.</summary>
    /// <exception cref="ArgumentException">The state is not 16 bytes long.</exception>
    public void SetState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != StateSize)
            throw new ArgumentException($"set_state: a generator state is {StateSize} bytes, got {state.Length}", nameof(state));
        lock (gate)
        {
            seed = BinaryPrimitives.ReadInt64LittleEndian(state);
            nextBlock = BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(8));
        }
    }

    private const int StateSize = 16;

    /// <summary>Reserves enough counter blocks for <paramref name="words"/> 32-bit random words and returns the stream over them.</summary>
    internal PhiloxStream Reserve(long words)
    {
        ulong blocks = (ulong)((words + 3) / 4);
        lock (gate)
        {
            var stream = new PhiloxStream((uint)seed, (uint)((ulong)seed >> 32), nextBlock);
            nextBlock += blocks;
            return stream;
        }
    }
}

/// <summary>
/// The 32-bit words of a Philox4x32-10 stream: block <c>b</c> is the encryption of the 128-bit counter
/// <c>FirstBlock + b</c> under the key, and word <c>w</c> is word <c>w % 4</c> of block <c>w / 4</c>.
/// </summary>
internal readonly record struct PhiloxStream(uint Key0, uint Key1, ulong FirstBlock)
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Writes words [<paramref name="firstWord"/>, <paramref name="firstWord"/> + length) of the stream into <paramref name="destination"/>.</summary>
    internal void Words(long firstWord, Span<uint> destination)
    {
        int done = 0, skip = (int)(firstWord & 3);
        ulong counter = FirstBlock + (ulong)(firstWord >> 2);
        if (skip != 0)
        {
            var first = Block(counter++, Key0, Key1);
            for (int k = skip; k < 4 && done < destination.Length; k++) destination[done++] = first.GetElement(k);
        }
        for (; destination.Length - done >= 16; done += 16, counter += 4)
            Blocks4(counter, destination.Slice(done, 16));
        for (; done < destination.Length; counter++)
        {
            var block = Block(counter, Key0, Key1);
            for (int k = 0; k < 4 && done < destination.Length; k++) destination[done++] = block.GetElement(k);
        }
    }

    /// <summary>
    /// Blocks <paramref name="counter"/> .. <paramref name="counter"/> + 3 computed side by side, one block per
    /// 64-bit vector lane holding a 32-bit word (the same words as four <see cref="Block(ulong, uint, uint)"/> calls).
    /// </summary>
    private void Blocks4(ulong counter, Span<uint> destination)
    {
        var low = Vector256.Create(0xFFFFFFFFUL);
        var counters = Vector256.Create(counter) + Vector256.Create(0UL, 1, 2, 3);
        Vector256<ulong> c0 = counters & low, c1 = counters >> 32, c2 = Vector256<ulong>.Zero, c3 = Vector256<ulong>.Zero;
        uint k0 = Key0, k1 = Key1;
        for (int round = 0; round < 10; round++)
        {
            var p0 = Multiply32(c0, M0);
            var p1 = Multiply32(c2, M1);
            var n0 = (p1 >> 32) ^ c1 ^ Vector256.Create((ulong)k0);
            var n2 = (p0 >> 32) ^ c3 ^ Vector256.Create((ulong)k1);
            c1 = p1 & low;
            c3 = p0 & low;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        for (int b = 0; b < 4; b++)
        {
            destination[4 * b] = (uint)c0.GetElement(b);
            destination[4 * b + 1] = (uint)c1.GetElement(b);
            destination[4 * b + 2] = (uint)c2.GetElement(b);
            destination[4 * b + 3] = (uint)c3.GetElement(b);
        }
    }

    /// <summary>The 64-bit products of each lane's low 32 bits (the high halves are zero here) and <paramref name="m"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Multiply32(Vector256<ulong> x, uint m) => Avx2.IsSupported
        ? Avx2.Multiply(x.AsUInt32(), Vector256.Create((ulong)m).AsUInt32())
        : x * Vector256.Create((ulong)m);

    /// <summary>The block for a 64-bit counter (the high half of the 128-bit counter is zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Block(ulong counter, uint k0, uint k1) => Block((uint)counter, (uint)(counter >> 32), 0, 0, k0, k1);

    /// <summary>Philox4x32-10: ten rounds of multiply-xor mixing of the counter, bumping the key between rounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return Vector128.Create(c0, c1, c2, c3);
    }
}
