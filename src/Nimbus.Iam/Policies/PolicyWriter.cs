using System.Text;
using System.Text.Json;

namespace Nimbus.Iam.Policies;

/// <summary>Writes a document back as indented JSON that <see cref="PolicyDocument.Parse"/> reads.</summary>
internal static class PolicyWriter
{
    public static string Write(PolicyDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("Version", document.Version);
            if (document.Id is not null)
            {
                writer.WriteString("Id", document.Id);
            }

            writer.WriteStartArray("Statement");
            foreach (var statement in document.Statements)
            {
                WriteStatement(writer, statement);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStatement(Utf8JsonWriter writer, PolicyStatement statement)
    {
        writer.WriteStartObject();
        if (statement.Sid is not null)
        {
            writer.WriteString("Sid", statement.Sid);
        }

        writer.WriteString("Effect", statement.Effect.ToString());
        WriteList(writer, "Action", statement.Actions);
        WriteList(writer, "NotAction", statement.NotActions);
        WriteList(writer, "Resource", statement.Resources);
        WriteList(writer, "NotResource", statement.NotResources);
        WritePrincipal(writer, "Principal", statement.Principals);
        WritePrincipal(writer, "NotPrincipal", statement.NotPrincipals);
        if (statement.Conditions.Count > 0)
        {
            writer.WriteStartObject("Condition");
            foreach (var group in statement.Conditions.GroupBy(c => c.Operator.Name))
            {
                writer.WriteStartObject(group.Key);
                foreach (var condition in group)
                {
                    WriteList(writer, condition.Key, condition.Values);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WritePrincipal(Utf8JsonWriter writer, string name, IReadOnlyList<string>? principals)
    {
        if (principals is null)
        {
            return;
        }

        if (principals is ["*"])
        {
            writer.WriteString(name, "*");
            return;
        }

        writer.WriteStartObject(name);
        var services = principals.Where(ServicePrincipals.IsService).Select(p => p[ServicePrincipals.Prefix.Length..]).ToArray();
        var others = principals.Where(p => !ServicePrincipals.IsService(p)).ToArray();
        if (others.Length > 0)
        {
            WriteList(writer, "Nimbus", others);
        }

        if (services.Length > 0)
        {
            WriteList(writer, "Service", services);
        }

        writer.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
