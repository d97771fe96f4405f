using Nimbus.Core.Store;

namespace Nimbus.Store.Sqlite;

internal sealed class WriteRequest<T> : WriteRequest
{
    private readonly Func<IStoreWriter, CancellationToken, Task<T>> _work;

    // Continuations run elsewhere: the writer loop must not execute callers' code between units.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public WriteRequest(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _work = work;
    }

    public Task<T> Task => _completion.Task;

    public override async Task RunAsync(IStoreWriter writer)
    {
        UnitOfWorkScope.Enter();
        _result = await _work(writer, CancellationToken);
    }

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception)
    {
        if (exception is OperationCanceledException && CancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else
        {
            _completion.TrySetException(exception);
        }
    }

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
