using System.Security.Cryptography;

namespace Nimbus.Core.Security;

/// <summary>
/// Encrypts secrets at rest (access key secrets, database passwords) with AES-256-GCM under
/// the master key of the data directory. Layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.
/// The associated data binds a ciphertext to its purpose and owner so it cannot be swapped.
/// </summary>
public sealed class SecretProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("the master key must be 32 bytes", nameof(masterKey));
        }

        _key = masterKey;
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), associatedData);
        return output;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, ReadOnlySpan<byte> associatedData)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != FormatVersion)
        {
            throw new CryptographicException("protected data has an unknown format");
        }

        var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedData.Slice(1, NonceSize), protectedData[(1 + NonceSize + TagSize)..], protectedData.Slice(1 + NonceSize, TagSize), plaintext, associatedData);
        return plaintext;
    }
}
