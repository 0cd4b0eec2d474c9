"Run notebooks and write their outputs back, so they read as docs on GitHub: `python tools/render.py nbs/02_progressive.ipynb ...`"
import sys, nbdev.test as nt
from pathlib import Path
from fastcore.script import call_parse
import json

def drop_blank(fn):
    "Remove the outputs that are only whitespace (fastai's silenced progress bars leave `\\r`s) from notebook `fn`"
    nb = json.loads(Path(fn).read_text())
    blank = lambda o: o.get('output_type')=='stream' and not ''.join(o.get('text', [])).strip()
    for c in nb['cells']:
        if 'outputs' in c: c['outputs'] = [o for o in c['outputs'] if not blank(o)]
    Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

@call_parse
def main(fns:str,              # Notebooks to run, comma-separated or as several arguments
         *more:str,
         all_cells:bool=False, # Also run the `#| eval: false` cells (real-data training): only where the data is
         dpi:int=50,           # Figure dpi (the inline backend draws at twice this)
        ):
    "Execute each notebook as `nbdev-test` does and save its outputs (only when every cell passed)"
    import matplotlib as mpl, warnings, fastprogress.fastprogress as fp
    mpl.rcParams['figure.dpi'] = dpi                       # the notebooks run in this process: small images, modest notebooks
    fp.NO_BAR,fp.ConsoleProgressBar.fill = True,''           # fastai's tables without the console progress bars
    warnings.filterwarnings('ignore', message=r'.*torch\.jit\.script.*')     # fastai's import on torch 2.14: noise
    if all_cells: nt._skip_cell = lambda nb,*a,**k: (lambda c: c.cell_type!='code')
    ok = True
    for fn in [f for o in (fns,)+more for f in o.split(',') if f]:
        res,t = nt.test_nb(Path(fn).resolve(), save=True, do_print=True)
        if res: drop_blank(fn)
        print(f"{'rendered' if res else 'FAILED, not saved'}: {fn} ({t:.0f} s)", flush=True); ok &= res
    sys.exit(0 if ok else 1)
