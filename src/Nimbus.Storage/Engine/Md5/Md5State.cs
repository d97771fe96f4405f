namespace Nimbus.Storage.Engine.Md5;

/// <summary>MD5's four chaining words (RFC 1321, section 3.3), starting at the standard initial values.</summary>
internal struct Md5State
{
    public uint A;
    public uint B;
    public uint C;
    public uint D;

    public static Md5State Initial => new() { A = 0x67452301, B = 0xefcdab89, C = 0x98badcfe, D = 0x10325476 };
}
