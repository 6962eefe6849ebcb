import torch, random, json, itertools
random.seed(3)
def factorizations(n, k):
    if k == 1: return [[n]]
    out = []
    for d in range(1, n+1):
        if n % d == 0:
            for rest in factorizations(n // d, k-1): out.append([d] + rest)
    return out
rows = []
seen = set()
while len(rows) < 60:
    rank = random.randint(1, 4)
    shape = [random.choice([1, 2, 3, 4]) for _ in range(rank)]
    steps = [random.choice([1, 1, 2]) for _ in range(rank)]
    base_shape = [s * st for s, st in zip(shape, steps)]
    perm = list(range(rank)); random.shuffle(perm)
    n = 1
    for s in shape: n *= s
    k = random.randint(1, 4)
    targets = factorizations(n, k)
    target = random.choice(targets)
    key = (tuple(shape), tuple(steps), tuple(perm), tuple(target))
    if key in seen: continue
    seen.add(key)
    base = torch.arange(n * 0 + eval('*'.join(map(str, base_shape)))).reshape(base_shape)
    x = base[tuple(slice(None, None, st) for st in steps)].permute(*perm)
    try:
        v = x.view(*target)
        res = 'new long[] { ' + ', '.join(map(str, v.stride())) + ' }'
        # size-1 dims may get any stride; record with -1 where size is 1
        strides = [st if sz != 1 else -1 for st, sz in zip(v.stride(), v.shape)]
        res = 'new long[] { ' + ', '.join(map(str, strides)) + ' }'
    except RuntimeError:
        res = 'null'
    L = lambda a: '[' + ', '.join(map(str, a)) + ']'
    rows.append(f'        [new long[] {{ {", ".join(map(str, base_shape))} }}, new long[] {{ {", ".join(map(str, steps))} }}, new long[] {{ {", ".join(map(str, perm))} }}, new long[] {{ {", ".join(map(str, target))} }}, {res}],')
print(sum('null' in r for r in rows), len(rows))
open('views.cs', 'w').write('\n'.join(rows) + '\n')
