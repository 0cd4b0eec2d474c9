#!/usr/bin/env python
"""Where the time goes per image size on an accelerator, and the ramp against fixed size by wall time (issue 19).

One prepared run for a lent GPU (the device tool), written so that a part that runs out of time leaves the parts before
it on disk. Parts, in order:

1. `steps`: the training step's images/s at each size (forward, backward, AdamW step; bf16 autocast, channels_last),
   at a fixed batch and at a batch that keeps pixels per step constant, and peak device memory;
2. `loader`: fastai's loader as a user builds it (`ImageDataLoaders.from_folder`, `Resize(size)`, `num_workers`), which
   decodes every JPEG at full size, in images/s delivered to the device;
3. `decode`: PIL decoding of the same JPEGs at full size against `Image.draft` (DCT scaling) to the smallest scale that
   covers the size, then the same resize: what decode-at-size could buy, per worker;
4. `bench`: `progresize.bench.bench` with fixed size at 2, 4 and 8 epochs and the ramp at fixed size's pixel budget.

    python tools/gpu_profile.py --data PATH --out OUT [--quick]

`PATH` is an ImageNet-style folder (train/, val/). `--quick` shrinks every part (a CPU smoke test)."""
import argparse, json, os, sys, time, math, statistics, subprocess
from pathlib import Path
from multiprocessing import Pool

T0 = time.time()
def left(budget): return budget - (time.time() - T0)
def log(*a): print(f"[{time.time()-T0:6.1f}s]", *a, flush=True)

def sync():
    import torch
    if torch.cuda.is_available(): torch.cuda.synchronize()

def step_rate(arch, size, bs, n, warm, dev):
    "Images/s of `n` training steps of `arch` at `size` and batch `bs` after `warm` steps, and peak memory (GiB)"
    import torch, torch.nn.functional as F
    from fastai.vision.models import xresnet
    m = getattr(xresnet, arch)(n_out=10).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    x = torch.randn(bs, 3, size, size, device=dev).to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (bs,), device=dev)
    amp = torch.autocast('cuda', dtype=torch.bfloat16) if dev=='cuda' else torch.autocast('cpu', enabled=False)
    if dev=='cuda': torch.cuda.reset_peak_memory_stats()
    def step():
        with amp: loss = F.cross_entropy(m(x), y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    for _ in range(warm): step()
    sync(); t = time.perf_counter()
    for _ in range(n): step()
    sync(); dt = time.perf_counter()-t
    mem = torch.cuda.max_memory_allocated()/2**30 if dev=='cuda' else None
    del m, opt, x, y
    if dev=='cuda': torch.cuda.empty_cache()
    return bs*n/dt, mem

def loader_rate(path, size, bs, workers, n_batches):
    "Images/s that fastai's loader delivers to the device at item size `size` (JPEGs decoded at full size)"
    from fastai.vision.all import ImageDataLoaders, Resize
    dls = ImageDataLoaders.from_folder(path, valid='val', item_tfms=Resize(size), bs=bs, num_workers=workers, seed=0)
    it = iter(dls.train); k = 0
    next(it); next(it)                                    # workers started, first batches out
    sync(); t = time.perf_counter()
    for b in it:
        k += len(b[0])
        if k >= n_batches*bs: break
    sync(); dt = time.perf_counter()-t
    return k/dt

def _decode(args):
    f, size, draft = args
    from PIL import Image
    with Image.open(f) as im:
        if draft: im.draft('RGB', (size, size))          # DCT scaling: 1/2, 1/4 or 1/8, never below `size`
        w,h = im.size
        s = size/min(w, h)
        im = im.convert('RGB').resize((max(size, round(w*s)), max(size, round(h*s))), Image.BILINEAR)
        return im.size

def decode_rate(files, size, draft, workers):
    "Images/s of PIL decode + resize to `size` (short side) over `files` in `workers` processes"
    with Pool(workers) as p:
        p.map(_decode, [(f, size, draft) for f in files[:workers*4]])     # warm
        t = time.perf_counter(); p.map(_decode, [(f, size, draft) for f in files], chunksize=16); dt = time.perf_counter()-t
    return len(files)/dt

def md_table(rows, cols):
    out = ['| ' + ' | '.join(cols) + ' |', '|' + '---|'*len(cols)]
    for r in rows: out.append('| ' + ' | '.join(str(r.get(c, '')) for c in cols) + ' |')
    return '\n'.join(out)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True); ap.add_argument('--out', required=True)
    ap.add_argument('--quick', action='store_true'); ap.add_argument('--budget', type=float, default=520.)
    ap.add_argument('--skip', default='')
    a = ap.parse_args()
    import torch
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    name = torch.cuda.get_device_name(0) if dev=='cuda' else 'cpu'
    res = dict(device=name, torch=torch.__version__, cpus=os.cpu_count(), argv=sys.argv, parts={})
    try: res['nvidia_smi'] = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.limit',
                                              '--format=csv,noheader'], capture_output=True, text=True).stdout.strip()
    except Exception as e: res['nvidia_smi'] = repr(e)
    save = lambda: (out/'gpu_profile.json').write_text(json.dumps(res, indent=1))
    log('device', name, 'torch', torch.__version__, 'cpus', os.cpu_count())
    sizes = [32, 64] if a.quick else [64, 96, 128, 160, 224]
    q = a.quick
    skip = set(a.skip.split(','))

    if 'steps' not in skip:           # 1. the training step per size
        rows = []
        for arch in (['xresnet18'] if q else ['xresnet18', 'xresnet50']):
            for s in sizes:
                if left(a.budget) < 300: log('steps: out of time'); break
                for kind,bs in (('fixed bs', 8 if q else 128), ('bs·S² const', (8 if q else 128)*(max(sizes)//s)**2)):
                    bs = min(bs, 64 if q else 2048)
                    r,mem = step_rate(arch, s, bs, 2 if q else 15, 1 if q else 5, dev)
                    rows.append(dict(arch=arch, size=s, kind=kind, bs=bs, img_s=round(r), mpx_s=round(r*s*s/1e6, 1), mem_gib=None if mem is None else round(mem, 2)))
                    log('step', rows[-1])
        res['parts']['steps'] = rows; save()

    files = sorted(str(f) for f in Path(a.data).glob('train/*/*.JPEG'))
    w = max(1, min(os.cpu_count()-1, 15))
    if 'decode' not in skip and left(a.budget) > 280:        # 3 before 2: cheap, and the loader's ceiling
        rows = []
        fs = files[:200] if q else files[:1800]
        for s in sizes:
            for draft in (False, True):
                for nw in ((1, w) if not q else (1,)):
                    rows.append(dict(size=s, draft=draft, workers=nw, img_s=round(decode_rate(fs, s, draft, nw))))
                    log('decode', rows[-1])
        res['parts']['decode'] = rows; save()

    if 'loader' not in skip and left(a.budget) > 260:        # 2. fastai's loader as built by users
        rows = []
        for s in sizes:
            for nw in ((0,) if q else (4, w)):
                if left(a.budget) < 240: break
                r = loader_rate(a.data, s, 16 if q else 128, nw, 3 if q else 12)
                rows.append(dict(size=s, workers=nw, bs=16 if q else 128, img_s=round(r)))
                log('loader', rows[-1])
        res['parts']['loader'] = rows; save()

    if 'bench' not in skip and left(a.budget) > 150:         # 4. the comparison, by wall time
        from progresize.bench import bench
        size = 32 if q else 128
        seeds = (0,) if q else (0, 1, 2)
        t = time.time()
        df = bench(data=a.data, regimes=['fixed', 'ramp'], arch='xresnet18', epochs=1 if q else 4, size=size, bs=16 if q else 64,
                   lr=3e-3, seeds=seeds, out=str(out/'bench'), budget='pixels', baseline_epochs='' if q else '2,8', test_sizes=())
        res['parts']['bench'] = dict(size=size, seeds=list(seeds), secs=round(time.time()-t), table=df.to_dict('records'))
        save(); log('bench done')

    res['secs'] = round(time.time()-T0); save()
    md = [f"# GPU profile\n\ndevice: {name} · torch {torch.__version__} · {os.cpu_count()} CPUs · {res['nvidia_smi']}\n"]
    for k,cols in (('steps', ['arch','size','kind','bs','img_s','mpx_s','mem_gib']), ('decode', ['size','draft','workers','img_s']),
                   ('loader', ['size','workers','bs','img_s'])):
        if k in res['parts']: md += [f"## {k}\n", md_table(res['parts'][k], cols), '']
    if (out/'bench'/'results.md').exists(): md += [(out/'bench'/'results.md').read_text()]
    (out/'gpu_profile.md').write_text('\n'.join(md))
    print('\n'.join(md))

if __name__=='__main__': main()
