"""Time the analytics on the bench's database (the national synthetic data set).

bench/run.py runs this after the page loads, with the virtualenv's Python,
DJANGO_SETTINGS_MODULE=coproduce.settings and COPRODUCE_DATA_DIR (or DATABASE_URL) pointing at
the bench's own database. Each figure is the wall time of the production code path:

- network: `network.build()` (the graph from the database), `network.analyse()` (betweenness
  and brokerage), and the analysis task when nothing has changed since the stored run
  (`network.refresh()`: build, hash, note the check);
- annual report: `annual.build(year)` (every section's queries), then `to_xlsx` and `to_pdf`;
- priority ranking: `analysis.interim_result(survey)` (the interim ranking over all ballots),
  `analysis.workshop_results(workshop)` (every round aggregated) for bench/priorities.py's
  consultation.

    python bench/analytics.py [YEAR]

The last line of output is a JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import django


def _timed(fn: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn(*args)
    return value, round(time.perf_counter() - started, 3)


def main(argv: list[str]) -> int:
    django.setup()
    from coproduce.implementation import annual, network
    from coproduce.priorities import analysis
    from coproduce.priorities.models import Consultation, InterimSurvey, Workshop

    year = int(argv[0]) if argv else 2025
    out: dict[str, Any] = {"year": year}

    graph, out["network_build_s"] = _timed(network.build)
    out["network_nodes"] = len(graph.nodes)
    out["network_edges"] = len(graph.edges)
    result, out["network_analyse_s"] = _timed(network.cached, graph)
    out["network_exact"] = bool(result.exact)
    out["network_sources"] = result.sources

    # The analysis task when nothing changed since the stored run (build, hash, note the check):
    # what the worker spends each COPRODUCE_NETWORK_REFRESH_MINUTES. The page reads the stored
    # row only.
    _, out["network_unchanged_s"] = _timed(network.refresh)

    report, out["annual_build_s"] = _timed(annual.build, year)
    xlsx, out["annual_xlsx_s"] = _timed(annual.to_xlsx, report)
    pdf, out["annual_pdf_s"] = _timed(annual.to_pdf, report)
    out["annual_xlsx_kb"] = len(xlsx) // 1024
    out["annual_pdf_kb"] = len(pdf) // 1024

    consultation = Consultation.objects.filter(slug="bench-priorities").first()
    survey = InterimSurvey.objects.filter(consultation=consultation).first()
    workshop = Workshop.objects.filter(consultation=consultation).first()
    if survey is not None:
        interim, out["interim_ranking_s"] = _timed(analysis.interim_result, survey)
        out["interim_questions"] = len(interim.rows)
    if workshop is not None:
        questions = analysis.workshop_questions(workshop)
        _, out["workshop_results_s"] = _timed(analysis.workshop_results, workshop, questions)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
