using System.Collections;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Kiln.Data;

/// <summary>
/// One epoch of a <see cref="DataLoader{T, TBatch}"/> loaded ahead on the thread pool: a producer advances the epoch's
/// batch enumerator (which fetches and collates) into a bounded channel while the consumer trains on earlier batches.
/// </summary>
/// <remarks>
/// The producer waits asynchronously when the channel is full, so an abandoned enumeration holds no thread.
/// <see cref="Dispose"/> cancels it and waits for it to stop, so no batch is fetched after the enumeration is disposed.
/// An exception thrown while fetching or collating is rethrown, with its type and stack, by the consumer's
/// <see cref="MoveNext"/> that would have returned that batch, after the batches before it.
/// </remarks>
internal sealed class PrefetchingEnumerator<TBatch> : IEnumerator<TBatch>
{
    private readonly Channel<TBatch> channel;
    private readonly CancellationTokenSource cancellation = new();
    private volatile ExceptionDispatchInfo? failure;
    private TBatch current = default!;

    /// <summary>Starts producing the batches of <paramref name="batches"/>, whose sampler has already drawn its order on the caller's thread.</summary>
    internal PrefetchingEnumerator(IEnumerator<TBatch> batches, int capacity)
    {
        channel = Channel.CreateBounded<TBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var token = cancellation.Token;
        Producer = Task.Run(() => ProduceAsync(batches, token), CancellationToken.None);
    }

    /// <summary>The producer; complete once it has stopped, for whatever reason.</summary>
    internal Task Producer { get; }

    public TBatch Current => current;

    object? IEnumerator.Current => current;

    public bool MoveNext()
    {
        var reader = channel.Reader;
        while (true)
        {
            if (reader.TryRead(out var batch))
            {
                current = batch;
                return true;
            }
            var wait = reader.WaitToReadAsync(CancellationToken.None);
            bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            if (more) continue;
            var error = failure;
            failure = null;
            error?.Throw();
            return false;
        }
    }

    public void Reset() => throw new NotSupportedException("DataLoader: an epoch cannot be restarted; enumerate the loader again for a new epoch");

    public void Dispose()
    {
        if (cancellation.IsCancellationRequested) return;
        cancellation.Cancel();
        // The producer catches everything, so waiting cannot throw; it returns once the batch in progress is done.
        Producer.Wait(CancellationToken.None);
        cancellation.Dispose();
    }

    private async Task ProduceAsync(IEnumerator<TBatch> batches, CancellationToken token)
    {
        try
        {
            using (batches)
            {
                while (!token.IsCancellationRequested && batches.MoveNext())
                    await channel.Writer.WriteAsync(batches.Current, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer abandoned the epoch: stop quietly.
        }
#pragma warning disable CA1031 // Any exception from the data set or the collate belongs to the consumer, who rethrows it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            channel.Writer.TryComplete();
        }
    }
}
