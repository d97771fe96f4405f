using System.Runtime.CompilerServices;

// The SigV4 test suite asserts the canonical request and string to sign, which are internal.
[assembly: InternalsVisibleTo("Nimbus.Contracts.Tests")]
