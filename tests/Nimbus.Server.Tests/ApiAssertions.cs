using System.Net;
using System.Net.Http.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Shouldly;

namespace Nimbus.Server.Tests;

internal static class ApiAssertions
{
    /// <summary>Asserts a problem+json answer with the status and stable code, and returns it.</summary>
    public static async Task<ProblemDto> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        var problem = System.Text.Json.JsonSerializer.Deserialize<ProblemDto>(text, NimbusJson.Options)!;
        problem.Code.ShouldBe(code, text);
        problem.Status.ShouldBe((int)status);
        problem.RequestId.ShouldNotBeNullOrEmpty();
        response.Headers.GetValues("X-Request-Id").Single().ShouldBe(problem.RequestId);
        return problem;
    }

    public static async Task<T> ShouldBeOkAsync<T>(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, NimbusJson.Options)!;
    }

    /// <summary>A JSON body in the API's dialect.</summary>
    public static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, body.GetType(), NimbusJson.Options), System.Text.Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body, NimbusJson.Options);
}
