using System.Buffers.Binary;
using System.Diagnostics;
using Kiln.Serialization;
using Xunit.Abstractions;

namespace Kiln.Tests.KilnFormat;

/// <summary>
/// Property-based fuzzing of the reader: thousands of seeded random mutations of a valid file (bit flips, random bytes,
/// truncations, insertions, deletions, huge header values) each either load or give a <see cref="KilnFormatException"/>;
/// no other exception, crash or hang. <c>KILN_FUZZ_MUTATIONS</c> sets the count for a long run.
/// </summary>
public class KilnFileMutationTests(ITestOutputHelper output)
{
    private const int DefaultMutations = 20_000;

    [Fact]
    public void Every_mutation_of_a_valid_file_loads_or_gives_a_KilnFormatException()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("KILN_FUZZ_MUTATIONS"), out int n) ? n : DefaultMutations;
        var valid = KilnFiles.Bytes(KilnFiles.Sample());
        var random = new System.Random(20261127);
        int loaded = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var mutant = Mutate(valid, random);
            try
            {
                KilnFiles.Read(mutant);
                loaded++;
            }
            catch (KilnFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} (seed 20261127) threw {e.GetType().Name}, not KilnFormatException: {e}");
            }
        }
        output.WriteLine($"{count} mutations in {clock.ElapsedMilliseconds} ms: {loaded} loaded, {rejected} rejected");
        Assert.Equal(count, loaded + rejected);
        Assert.True(rejected > count / 2, $"only {rejected} of {count} mutations were rejected; the mutator is too gentle");
    }

    private static byte[] Mutate(byte[] valid, System.Random random)
    {
        var bytes = new List<byte>(valid);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(8), bytes.Count - at));
                    break;
                case 5 when bytes.Count >= 40:
                    // A huge or boundary value in one of the header's u64 fields.
                    var header = bytes.ToArray();
                    BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16 + (8 * random.Next(3))), (ulong)random.NextInt64() << random.Next(8));
                    bytes = [.. header];
                    break;
            }
        }
        return [.. bytes];
    }
}
