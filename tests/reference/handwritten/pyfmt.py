import json, random, struct
random.seed(7)
vals = [0.5, 1.5, 2.5, 0.03125, 0.15625, 0.00005, 0.00015, 1e-5, 9.99995, 99999.5, 123456.789, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 0.1, 0.2, 0.3, 1/3, 2/3, 12345.67895, -0.0, -1.23456789e-7, 0.99995, 9.5, 10.5, 0.00012345, 6.02214076e23, 1.0000500000000001]
for _ in range(40):
    vals.append(struct.unpack('d', struct.pack('Q', random.getrandbits(64) & 0x7fefffffffffffff | (random.getrandbits(1) << 63)))[0])
for _ in range(20):
    vals.append(random.uniform(-1000, 1000))
for _ in range(20):
    vals.append(random.randint(-10**6, 10**6) / 2**random.randint(1, 12))
rows = []
for v in vals:
    rows.append(f'        [InlineData({v!r}, {json.dumps(format(v, ".4f"))}, {json.dumps(format(v, ".4e"))}, {json.dumps(format(v, ".0f"))})]')
open('pyfmt.cs', 'w').write('\n'.join(rows).replace('inf', 'double.PositiveInfinity') + '\n')
