using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nimbus.Storage.Engine.Md5;

/// <summary>
/// One thread that hashes the MD5 of every upload in flight, up to <see cref="Md5Core.Lanes"/> of them side by side
/// in the lanes of one vector (<see cref="Md5Core.Compress8"/>). Measured on the development machine: OpenSSL's MD5
/// of one message runs at about 0.7 GB/s, bound by the latency of MD5's chain of dependent steps; eight messages in
/// lanes run through that chain together, so the CPU a concurrent PUT spends on its ETag falls to a fraction while one
/// upload alone still hashes at about the speed of one chain. A stream joins the lanes as soon as a lane is free and
/// the current round (at most <see cref="MaxBlocksPerRound"/> blocks) ends, so no upload waits for another's body.
/// </summary>
internal sealed unsafe class Md5Hasher
{
    /// <summary>16 KiB per lane: short enough that a new upload joins quickly, long enough that rounds are cheap.</summary>
    private const int MaxBlocksPerRound = 256;

    private readonly object _gate = new();
    private readonly Queue<Md5Stream> _ready = new();
    private bool _idle;

    private Md5Hasher()
    {
        new Thread(Run) { IsBackground = true, Name = "storage-md5" }.Start();
    }

    /// <summary>The process's hasher (one thread, started on first use).</summary>
    public static Md5Hasher Shared { get; } = new();

    private int _inFlight;

    /// <summary>Starts the MD5 of a new message; dispose the stream when done with it.</summary>
    /// <param name="inlineWhenAlone">
    /// When no other stream is in flight, hash on the caller's thread as the bytes are appended: for a short message
    /// (one piece of an upload) the hand-over to the hasher's thread costs more than it overlaps.
    /// </param>
    public Md5Stream CreateStream(bool inlineWhenAlone = false) =>
        new(this, solo: Interlocked.Increment(ref _inFlight) == 1, soloInline: inlineWhenAlone);

    internal void Ended() => Interlocked.Decrement(ref _inFlight);

    internal void Enqueue(Md5Stream stream, Md5Stream.Piece piece)
    {
        lock (_gate)
        {
            stream.Pending.Enqueue(piece);
            if (!stream.Scheduled)
            {
                stream.Scheduled = true;
                _ready.Enqueue(stream);
                if (_idle)
                {
                    Monitor.Pulse(_gate);
                }
            }
        }
    }

    private struct Lane
    {
        public Md5Stream? Stream;
        public Md5Stream.Piece Piece;
        public bool HasPiece;
        public MemoryHandle Pin;
        public byte* Next;
        public int Blocks;
        public int TailOffset;
    }

    private void Run()
    {
        var lanes = new Lane[Md5Core.Lanes];
        var idleBlock = (byte*)NativeMemory.AllocZeroed(Md5Core.BlockSize);
        var pointers = stackalloc byte*[Md5Core.Lanes];
        while (true)
        {
            try
            {
                HashOnce(lanes, pointers, idleBlock);
            }
            catch (Exception e)
            {
                // Nothing here should throw; if something does, the uploads waiting on their pieces fail with it
                // instead of the thread dying (which would end the process) or leaving them waiting for ever.
                FailAll(lanes, e);
            }
        }
    }

    /// <summary>One round: fill free lanes, hash the lanes' whole blocks together, complete the pieces that ran out.</summary>
    private void HashOnce(Lane[] lanes, byte** pointers, byte* idleBlock)
    {
        TakePieces(lanes);
        var round = int.MaxValue;
        for (var i = 0; i < lanes.Length; i++)
        {
            if (lanes[i].HasPiece && lanes[i].Blocks > 0)
            {
                round = Math.Min(round, lanes[i].Blocks);
            }
        }

        if (round != int.MaxValue)
        {
            round = Math.Min(round, MaxBlocksPerRound);
            HashRound(lanes, round, pointers, idleBlock);
        }

        for (var i = 0; i < lanes.Length; i++)
        {
            if (lanes[i].HasPiece && lanes[i].Blocks == 0)
            {
                CompletePiece(ref lanes[i]);
            }
        }
    }

    /// <summary>Fails every piece in a lane or waiting in a queue with <paramref name="error"/> and empties the lanes.</summary>
    private void FailAll(Lane[] lanes, Exception error)
    {
        lock (_gate)
        {
            for (var i = 0; i < lanes.Length; i++)
            {
                ref var lane = ref lanes[i];
                if (lane.HasPiece)
                {
                    lane.Piece.Done.TrySetException(error);
                    lane.Pin.Dispose();
                }

                if (lane.Stream is { } stream)
                {
                    Fail(stream, error);
                }

                lane = default;
            }

            while (_ready.TryDequeue(out var waiting))
            {
                Fail(waiting, error);
            }
        }

        static void Fail(Md5Stream stream, Exception error)
        {
            while (stream.Pending.TryDequeue(out var piece))
            {
                piece.Done.TrySetException(error);
            }

            stream.Scheduled = false;
        }
    }

    /// <summary>Gives every lane without a piece the next piece of its stream, or a new stream; waits when there is no work.</summary>
    private void TakePieces(Lane[] lanes)
    {
        lock (_gate)
        {
            while (true)
            {
                var busy = false;
                for (var i = 0; i < lanes.Length; i++)
                {
                    ref var lane = ref lanes[i];
                    if (lane.HasPiece)
                    {
                        busy = true;
                        continue;
                    }

                    if (lane.Stream is { } current && !current.Pending.TryDequeue(out lane.Piece))
                    {
                        current.Scheduled = false;
                        lane.Stream = null;
                    }

                    if (lane.Stream is null && _ready.TryDequeue(out var next))
                    {
                        lane.Stream = next;
                        lane.Piece = next.Pending.Dequeue();
                    }

                    if (lane.Stream is not null)
                    {
                        lane.HasPiece = true;
                        lane.Blocks = -1;
                        busy = true;
                    }
                }

                if (busy)
                {
                    break;
                }

                _idle = true;
                Monitor.Wait(_gate);
                _idle = false;
            }
        }

        for (var i = 0; i < lanes.Length; i++)
        {
            ref var lane = ref lanes[i];
            if (lane.HasPiece && lane.Blocks < 0 && lane.Stream!.Solo is { } solo)
            {
                solo.AppendData(lane.Piece.Data.Span);
                lane.HasPiece = false;
                lane.Piece.Done.SetResult();
                lane.Piece = default;
            }
            else if (lane.HasPiece && lane.Blocks < 0)
            {
                // A block begun by the stream's earlier pieces is finished first; the piece's whole blocks then go
                // through the lane and its last partial block waits for the next piece (or the padding).
                lane.Pin = lane.Piece.Data.Pin();
                var data = new ReadOnlySpan<byte>(lane.Pin.Pointer, lane.Piece.Data.Length);
                var head = lane.Stream!.TakeHead(data);
                lane.Blocks = (data.Length - head) / Md5Core.BlockSize;
                lane.Next = (byte*)lane.Pin.Pointer + head;
                lane.TailOffset = head + (lane.Blocks * Md5Core.BlockSize);
            }
        }
    }

    private static void HashRound(Lane[] lanes, int round, byte** pointers, byte* idleBlock)
    {
        Span<uint> a = stackalloc uint[Md5Core.Lanes];
        Span<uint> b = stackalloc uint[Md5Core.Lanes];
        Span<uint> c = stackalloc uint[Md5Core.Lanes];
        Span<uint> d = stackalloc uint[Md5Core.Lanes];
        for (var i = 0; i < lanes.Length; i++)
        {
            var active = lanes[i].HasPiece && lanes[i].Blocks > 0;
            pointers[i] = active ? lanes[i].Next : idleBlock;
            if (active)
            {
                var state = lanes[i].Stream!.State;
                (a[i], b[i], c[i], d[i]) = (state.A, state.B, state.C, state.D);
            }
        }

        var va = Vector256.Create<uint>(a);
        var vb = Vector256.Create<uint>(b);
        var vc = Vector256.Create<uint>(c);
        var vd = Vector256.Create<uint>(d);
        Span<bool> stride = stackalloc bool[Md5Core.Lanes];
        for (var i = 0; i < lanes.Length; i++)
        {
            stride[i] = pointers[i] != idleBlock;
        }

        for (var step = 0; step < round; step++)
        {
            Md5Core.Compress8(ref va, ref vb, ref vc, ref vd, pointers);
            for (var i = 0; i < Md5Core.Lanes; i++)
            {
                if (stride[i])
                {
                    pointers[i] += Md5Core.BlockSize;
                }
            }
        }

        for (var i = 0; i < lanes.Length; i++)
        {
            if (stride[i])
            {
                ref var lane = ref lanes[i];
                lane.Stream!.State = new Md5State { A = va[i], B = vb[i], C = vc[i], D = vd[i] };
                lane.Next = pointers[i];
                lane.Blocks -= round;
            }
        }
    }

    private static void CompletePiece(ref Lane lane)
    {
        var data = new ReadOnlySpan<byte>(lane.Pin.Pointer, lane.Piece.Data.Length);
        lane.Stream!.KeepTail(data[lane.TailOffset..]);
        lane.Pin.Dispose();
        lane.Pin = default;
        lane.HasPiece = false;
        lane.Piece.Done.SetResult();
        lane.Piece = default;
    }
}
