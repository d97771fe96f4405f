namespace Nimbus.Iam.Passwords;

/// <summary>An account's password policy (AWS's knobs): length, character classes, reuse and expiry.</summary>
public sealed record PasswordPolicy
{
    /// <summary>Minimum length; 8 to 128, default 12.</summary>
    public int MinimumLength { get; init; } = 12;

    public bool RequireUppercase { get; init; } = true;

    public bool RequireLowercase { get; init; } = true;

    public bool RequireDigits { get; init; } = true;

    public bool RequireSymbols { get; init; }

    /// <summary>How many previous passwords may not be reused; 0 to 24, default 5.</summary>
    public int PreventReuse { get; init; } = 5;

    /// <summary>Days after which a password must be changed; 0 means never (default).</summary>
    public int MaxAgeDays { get; init; }

    public const int MaximumLength = 128;

    /// <summary>Every rule <paramref name="password"/> breaks, in words a user can act on; empty when it complies.</summary>
    public IReadOnlyList<string> Check(string password)
    {
        var problems = new List<string>();
        if (password.Length < MinimumLength)
        {
            problems.Add($"must be at least {MinimumLength} characters long");
        }

        if (password.Length > MaximumLength)
        {
            problems.Add($"must be at most {MaximumLength} characters long");
        }

        if (RequireUppercase && !password.Any(char.IsUpper))
        {
            problems.Add("must contain an uppercase letter");
        }

        if (RequireLowercase && !password.Any(char.IsLower))
        {
            problems.Add("must contain a lowercase letter");
        }

        if (RequireDigits && !password.Any(char.IsDigit))
        {
            problems.Add("must contain a digit");
        }

        if (RequireSymbols && password.All(char.IsLetterOrDigit))
        {
            problems.Add("must contain a symbol");
        }

        if (password.Any(char.IsControl))
        {
            problems.Add("must not contain control characters");
        }

        return problems;
    }

    /// <summary>Whether <paramref name="password"/> matches one of the last <see cref="PreventReuse"/> hashes.</summary>
    public bool IsReused(string password, IEnumerable<string> previousHashes) =>
        previousHashes.Take(PreventReuse).Any(hash => PasswordHasher.Verify(password, hash));

    public bool IsExpired(DateTimeOffset changedAt, DateTimeOffset now) =>
        MaxAgeDays > 0 && now - changedAt > TimeSpan.FromDays(MaxAgeDays);
}
