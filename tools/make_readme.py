"Write README.md from nbs/index.ipynb (nbdev's own readme needs quarto): markdown cells as they are, code cells fenced, hidden cells left out"
import json, sys
from pathlib import Path
root = Path(__file__).resolve().parent.parent
def readme():
    out = []
    for c in json.loads((root/'nbs'/'index.ipynb').read_text())['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        out.append(src if c['cell_type']=='markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(out) + '\n'
if __name__ == '__main__':
    txt = readme()
    if '--check' in sys.argv:
        if (root/'README.md').read_text() != txt: sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
    else: (root/'README.md').write_text(txt)
