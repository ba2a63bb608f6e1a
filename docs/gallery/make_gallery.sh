#!/usr/bin/env bash
# Regenerate docs/gallery/: one PNG of every figure kind (jitsim plot --list) and a screenshot of
# the first screen of a report, each from a bundled scenario. docs/gallery.md quotes the
# commands below verbatim.
#
#   docs/gallery/make_gallery.sh                # with jitsim on the PATH (e.g. .venv/bin)
#   JITSIM="python -m jitsim" docs/gallery/make_gallery.sh
#
# The results go to $GALLERY_RESULTS (default: results/gallery); a minute or two on a laptop.
set -euo pipefail
cd "$(dirname "$0")/../.."
export MPLBACKEND=Agg
read -r -a JITSIM <<< "${JITSIM:-jitsim}"
R="${GALLERY_RESULTS:-results/gallery}"
G=docs/gallery
# The commands below are docs/gallery.md's, verbatim; the simulations also get --quiet
# --overwrite (no progress bar; replace the previous gallery's results).
jitsim() {
    case "$1" in
        run | compare | sweep | breakeven | stress | optimize) "${JITSIM[@]}" "$@" --quiet --overwrite >/dev/null ;;
        *) "${JITSIM[@]}" "$@" >/dev/null ;;
    esac
}
mkdir -p "$R"

# --- the network: an assembly plant fed by three suppliers
jitsim run scenarios/assembly_plant.yaml -n 30 -o "$R/assembly"
jitsim plot network "$R/assembly" -o "$G/network.png"

# --- inventory and cash over time: a single-sourced JIT supplier, knocked out for 30 days
jitsim run scenarios/jit_single_source_failure.yaml -a jit_single -a jit_with_backup -a buffered \
    --event outage-30d:boardworks@150 -n 30 --trajectories 20 -o "$R/failure"
jitsim plot inventory "$R/failure" -o "$G/inventory.png"
jitsim plot cash "$R/failure" -o "$G/cash.png"

# --- the cash balance over time under payment terms
jitsim run scenarios/cash_terms.yaml -n 30 --trajectories 20 -o "$R/cash_terms"
jitsim plot cash_balance "$R/cash_terms" -o "$G/cash_balance.png"

# --- costs, comparison, frontier and distributions: the quickstart, compared with its buffer
jitsim compare scenarios/quickstart.yaml --baseline buffered -n 50 -o "$R/quickstart"
jitsim plot costs "$R/quickstart" -o "$G/costs.png"
jitsim plot comparison "$R/quickstart" -o "$G/comparison.png"
jitsim plot frontier "$R/quickstart" -o "$G/frontier.png"
jitsim plot distributions "$R/quickstart" -o "$G/distributions.png"

# --- waste and space beside the holding cost: fresh produce with a 4–7-day shelf life
jitsim compare scenarios/fresh_produce.yaml -n 30 -o "$R/fresh"
jitsim plot waste "$R/fresh" -o "$G/waste.png"

# --- a sweep over one parameter, and a heatmap over two
jitsim sweep scenarios/quickstart.yaml --set suppliers.acme.order_cost=2,5,10,20,40 -n 30 \
    -o "$R/sweep"
jitsim plot sweep "$R/sweep" -o "$G/sweep.png"
jitsim sweep scenarios/quickstart.yaml --set suppliers.acme.order_cost=2,10,40 \
    --set items.widget.holding_rate.storage=0.02,0.06,0.2 -n 30 -o "$R/heatmap"
jitsim plot heatmap "$R/heatmap" -o "$G/heatmap.png"

# --- break-even: from which storage cost does JIT (10 % forecast error) beat the buffer?
jitsim breakeven scenarios/forecast_accuracy.yaml --param items.seat.holding_rate.storage \
    --range 0.05:0.5 --between jit_error_10,buffered -n 30 -o "$R/breakeven"
jitsim plot breakeven "$R/breakeven" -o "$G/breakeven.png"

# --- optimize: the least cash tied up at the store for a 95 % fill rate
jitsim optimize scenarios/quickstart.yaml --point store --alternative buffered \
    --objective avg_cash_tied_up --constraint "fill_rate>=0.95" -o "$R/optimize"
jitsim plot convergence "$R/optimize" -o "$G/convergence.png"

# --- stress: knock out each supplier of the single-sourced JIT chain
jitsim stress scenarios/jit_single_source_failure.yaml -n 30 -o "$R/stress"
jitsim plot tts_ttr "$R/stress" -o "$G/tts_ttr.png"
jitsim plot impact "$R/stress" -o "$G/impact.png"
jitsim plot recovery "$R/stress" -o "$G/recovery.png"

# --- the first screen of a report (1280 × 900), in headless Chromium
jitsim report "$R/quickstart" -o "$R/quickstart/report.html"
PYTHON="${PYTHON:-python}"
"$PYTHON" - "$R/quickstart/report.html" "$G/report-first-screen.png" <<'PY'
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from jitsim.cli.report import find_chromium

report, shot = Path(sys.argv[1]).resolve(), sys.argv[2]
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.as_uri(), wait_until="load")
    page.screenshot(path=shot)
    browser.close()
PY
echo "gallery written to $G/"
