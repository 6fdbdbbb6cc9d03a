"""``workbench network``: import (matrix, country edge list), list, rank, communities, path, hubs, export;
errors with the file, row and column (exit 2); the permission matrix (exit 3)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from workbench.cli import main


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    monkeypatch.setenv("WORKBENCH_USER", "ana")
    monkeypatch.delenv("WORKBENCH_TOKEN", raising=False)
    return f"sqlite:///{tmp_path / 'wb.db'}"


def test_matrix_in_ranked_and_split_into_communities(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = nx.les_miserables_graph()  # a published co-appearance network, weighted
    m = nx.to_pandas_adjacency(g, nodelist=sorted(g.nodes), weight="weight")
    m.to_csv(tmp_path / "miserables.csv")
    assert (
        main(
            [
                "network",
                "import",
                str(tmp_path / "miserables.csv"),
                "--format",
                "matrix",
                "--name",
                "mis",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert (
        "stored 'mis' from miserables.csv (matrix): 77 nodes, 254 links, undirected"
        in capsys.readouterr().err
    )
    assert main(["network", "list", "--db", db]) == 0
    assert "mis" in capsys.readouterr().out
    assert main(["network", "rank", "mis", "--by", "betweenness", "--top", "3", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    bc = nx.betweenness_centrality(g)
    top3 = sorted(bc, key=lambda n: (-bc[n], n))[:3]
    assert [line.split()[1] for line in out[1:]] == top3 == ["Valjean", "Myriel", "Gavroche"]
    ranked = tmp_path / "rank.csv"
    assert (
        main(
            [
                "network",
                "rank",
                "mis",
                "--by",
                "weighted_degree",
                "--top",
                "0",
                "--out",
                str(ranked),
                "--db",
                db,
            ]
        )
        == 0
    )
    r = pd.read_csv(ranked)
    assert dict(zip(r["label"], r["weighted_degree"], strict=True)) == dict(g.degree(weight="weight"))
    capsys.readouterr()
    assert main(["network", "communities", "mis", "--seed", "3", "--db", db]) == 0
    err = capsys.readouterr().err
    ref = nx.community.louvain_communities(nx.from_pandas_adjacency(m), weight="weight", seed=3)
    q = nx.community.modularity(g, ref, weight="weight")
    assert f"{len(ref)} communities (Louvain, weighted, seed 3); modularity {q:.4f}" in err
    assert main(["network", "path", "mis", "Napoleon", "Cosette", "--db", db]) == 0
    assert capsys.readouterr().out.strip() == " -> ".join(
        nx.shortest_path(nx.from_pandas_adjacency(m), "Napoleon", "Cosette")
    )
    out_file = tmp_path / "mis.graphml"
    assert (
        main(["network", "export", "mis", "--out", str(out_file), "--db", db]) == 2
    )  # personal: legal basis
    assert "legal basis" in capsys.readouterr().err
    assert (
        main(["network", "export", "mis", "--out", str(out_file), "--legal-basis", "LED art. 8", "--db", db])
        == 0
    )
    assert nx.read_graphml(out_file).number_of_edges() == 254


def test_country_edge_list_hubs_rank_every_country(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ("Colombia", "Spain", 2019, 40),
        ("Colombia", "Netherlands", 2019, 25),
        ("Brazil", "Spain", 2019, 10),
        ("Spain", "France", 2019, 12),
        ("Netherlands", "Germany", 2019, 8),
        ("Colombia", "Spain", 2020, 30),
    ]
    f = tmp_path / "flows.csv"
    pd.DataFrame(rows, columns=["from", "to", "year", "seizures"]).to_csv(f, index=False)
    args = [
        "network",
        "import",
        str(f),
        "--directed",
        "--weight",
        "seizures",
        "--name",
        "flows",
        "--non-personal",
    ]
    assert main([*args, "--db", db]) == 0
    capsys.readouterr()
    assert main(["network", "hubs", "flows", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = [line.split() for line in lines[1:]]
    # every country, not only transit ones: Colombia (95 out) first, then Spain (80 in + 12 out)
    assert [(t[0], float(t[1])) for t in table] == [
        ("CO", 95.0),
        ("ES", 92.0),
        ("NL", 33.0),
        ("FR", 12.0),
        ("BR", 10.0),
        ("DE", 8.0),
    ]
    ref = nx.DiGraph([("CO", "ES"), ("CO", "NL"), ("BR", "ES"), ("ES", "FR"), ("NL", "DE")])
    bc = nx.betweenness_centrality(ref)
    assert {t[0]: float(t[-1]) for t in table} == pytest.approx({c: round(v, 4) for c, v in bc.items()})
    assert main(["network", "hubs", "flows", "--by", "betweenness", "--top", "2", "--db", db]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == ["ES", "NL"]


def test_errors_name_file_row_and_column_and_nothing_is_stored(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("source,target,weight\nA,B,1\nB,C,lots\n")
    assert main(["network", "import", str(f), "--name", "bad", "--db", db]) == 2
    assert "error: bad.csv, row 3, column 'weight': 'lots' is not a number" in capsys.readouterr().err
    assert main(["network", "list", "--db", db]) == 0
    assert "no chart stored" in capsys.readouterr().err
    assert main(["network", "rank", "nope", "--db", db]) == 2
    assert "no chart named 'nope'" in capsys.readouterr().err


def test_a_viewer_may_list_but_not_import_nor_open_a_personal_chart(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cell.csv"
    f.write_text("source,target\nAna,Bo\nBo,Cy\n")
    assert main(["network", "import", str(f), "--name", "cell", "--db", db]) == 0
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    assert main(["network", "import", str(f), "--name", "cell2", "--db", db]) == 3
    assert main(["network", "list", "--db", db]) == 0
    assert "cell" in capsys.readouterr().out
    # a local viewer holds the personal-data flag of the local mode, but the viewer role has no view_personal
    assert main(["network", "rank", "cell", "--db", db]) == 3


def test_hubs_and_ranks_per_period(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "flows.csv"
    f.write_text("from,to,year,n\nCO,ES,2019,40\nES,FR,2019,12\nBR,PT,2020,9\nCO,ES,2020,5\n")
    assert (
        main(
            [
                "network",
                "import",
                str(f),
                "--directed",
                "--weight",
                "n",
                "--name",
                "y",
                "--non-personal",
                "--db",
                db,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["network", "hubs", "y", "--period", "2020", "--db", db]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[0], float(r[1])) for r in rows if float(r[1]) > 0] == [
        ("BR", 9.0),
        ("PT", 9.0),
        ("CO", 5.0),
        ("ES", 5.0),
    ]
    assert main(["network", "rank", "y", "--period", "2031", "--db", db]) == 2
    assert "no link in period '2031'; its periods: 2019, 2020" in capsys.readouterr().err
