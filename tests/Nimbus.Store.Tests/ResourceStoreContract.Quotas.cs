using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    private static readonly QuotaDefinition TestQuota = new() { Code = "test.widgets", Description = "test", DefaultLimit = 3, Unit = "widgets" };

    private QuotaService NewQuotas() => new(Store, [TestQuota]);

    [Fact]
    public async Task Concurrent_units_consuming_a_quota_never_pass_its_limit_together()
    {
        var quotas = NewQuotas();

        // Hold the writer until every unit is queued, so that on SQLite they share one group commit.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Store.WriteAsync<bool>(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
            return true;
        }, Ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var units = Enumerable.Range(0, 16).Select(i => Store.WriteAsync(async (w, ct) =>
        {
            await quotas.ConsumeAsync(w, Account, TestQuota.Code, 1, ct);
            return await w.CreateAsync(NewWidget($"q{i}"), ct);
        }, Ct)).ToArray();
        release.SetResult();
        await holding.WaitAsync(TimeSpan.FromSeconds(30));

        var outcomes = new List<string>();
        foreach (var unit in units)
        {
            try
            {
                await unit;
                outcomes.Add("created");
            }
            catch (NimbusException ex) when (ex.Code == ErrorCodes.QuotaExceeded)
            {
                ex.Quota!.Usage.ShouldBe(3);
                outcomes.Add("refused");
            }
        }

        outcomes.Count(o => o == "created").ShouldBe(3);
        outcomes.Count(o => o == "refused").ShouldBe(13);
        (await Store.ListAsync(new ResourceQuery { Kind = Kind, Account = Account }, Ct)).Items.Count.ShouldBe(3);
        (await quotas.ListAsync(Account, Ct)).Items.Single().Usage.ShouldBe(3);
    }

    [Fact]
    public async Task A_unit_that_fails_after_consuming_gives_its_units_back()
    {
        var quotas = NewQuotas();
        await Should.ThrowAsync<InvalidOperationException>(() => Store.WriteAsync<bool>(async (w, ct) =>
        {
            await quotas.ConsumeAsync(w, Account, TestQuota.Code, 2, ct);
            throw new InvalidOperationException("later step failed");
        }, Ct));

        (await quotas.ListAsync(Account, Ct)).Items.Single().Usage.ShouldBe(0);
        (await Store.WriteAsync((w, ct) => quotas.ConsumeAsync(w, Account, TestQuota.Code, 3, ct), Ct)).ShouldBe(3);
        (await Store.WriteAsync((w, ct) => quotas.ReleaseAsync(w, Account, TestQuota.Code, 5, ct), Ct)).ShouldBe(0);
        (await quotas.ListAsync(OtherAccount, Ct)).Items.Single().Usage.ShouldBe(0);
    }
}
