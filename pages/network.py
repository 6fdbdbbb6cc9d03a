"""Network: search an entity, its ego network drawn interactively, paths, communities and rankings."""
# nav: section=Analysis; title=Network; icon=:material/hub:; order=30

import pandas as pd
import streamlit as st

from workbench.network.graph import describe_path, entity_card, node_names, search_nodes, shortest_path
from workbench.ui.network import (
    CARD_COLUMNS,
    DRAW_LIMIT,
    DRAW_MAX,
    community_table,
    count,
    entity_graph,
    export_panel,
    focus,
    graph_communities,
    graph_rankings,
    legend_html,
    network_view,
    path_graph,
    view_graph,
    vis_spec,
    wanted,
)
from workbench.ui.resources import get_settings
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption, open_case

state = get_state()
ex = state.extras
st.title("Network")
filter_caption(state.filter)
if empty_store_notice():
    st.stop()
if not get_settings().can_see_personal:
    st.info(
        "Persons, companies and their identifiers are personal data, which your role may not see: the graph "
        "shows cases linked by flights, vessels and trains only."
    )

graph = entity_graph(state.filter)
counts = graph.counts()
cols = st.columns(len(counts) + 1)
_PLURAL = {"address": "Addresses", "company": "Companies", "conveyance": "Conveyances"}
for col, (kind, n) in zip(cols, counts.items(), strict=False):
    col.metric(_PLURAL.get(kind, kind.capitalize() + "s"), f"{n:,}")
cols[-1].metric("Links", f"{len(graph.edges):,}")
st.markdown(legend_html(counts), unsafe_allow_html=True)
if len(graph) == 0:
    st.warning("No case matches the filters. Widen the period or clear a filter in the sidebar.")
    st.stop()


def pick(label: str, key: str, default: str | None = None) -> str | None:
    """A search box and the matching entities; returns the chosen node id."""
    text = st.text_input(
        label, key=f"{key}_text", placeholder="name, phone, address, passport, case id, flight …"
    )
    if not text and default:
        return default
    if not text:
        return None
    found = search_nodes(graph, text, limit=40)
    if found.empty:
        st.caption(f"Nothing in the filtered graph matches “{text}”.")
        return None
    labels = {
        r.node_id: f"{r.label} · {r.kind}{f' · {r.detail}' if r.detail else ''} · {r.degree} links"
        for r in found.itertuples()
    }
    return st.selectbox("Matches", list(labels), format_func=labels.get, key=f"{key}_pick")


def show_card(node_id: str) -> None:
    card = entity_card(graph, node_id)
    lo, hi = card["period"]
    st.markdown(
        f"**{card['label']}** · {card['kind']} · {len(card['cases'])} case(s)"
        + (f" · {lo:%Y-%m-%d} – {hi:%Y-%m-%d}" if lo is not None and not pd.isna(lo) else "")
    )
    if len(card["names"]) > 1:
        st.caption("Written as: " + "; ".join(card["names"][:12]))
    cases = card["cases"]
    if len(cases):
        ev = st.dataframe(
            cases.drop(columns=["case_key"]),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key=f"card_{node_id}",
            column_config={
                **CARD_COLUMNS,
                "seizure_date": st.column_config.DateColumn("Seizure date", format="YYYY-MM-DD"),
            },
        )
        st.caption("Select a case to open it.")
        rows = ev.selection.rows if ev and ev.selection else []
        if rows:
            r = cases.iloc[rows[0]]
            open_case(str(r["reporting_country"]), str(r["case_id"]))
    with st.expander(f"Direct links ({len(card['links'])})"):
        st.dataframe(
            card["links"][["label", "kind", "relation"]],
            hide_index=True,
            width="stretch",
            column_config={"label": "Linked to", "kind": "Kind", "relation": "Link"},
        )


tab_ego, tab_path, tab_comm, tab_rank = st.tabs(["Ego network", "Shortest path", "Communities", "Rankings"])

with tab_ego:
    left, mid, right = st.columns([3, 1, 1])
    with left:
        seed = pick("Search an entity", "net_seed", ex.get("network.seed"))
    hops = mid.slider("Hops", 1, 3, int(ex.get("network.hops", 2)), key="net_hops")
    limit = right.number_input("Most nodes drawn", 50, DRAW_MAX, DRAW_LIMIT, step=250, key="net_limit")
    if seed and seed != ex.get("network.seed"):
        focus(seed)
    ex["network.hops"] = hops

    @st.fragment
    def ego_panel() -> None:
        seed = ex.get("network.seed")
        if not seed or seed not in graph.index.index:
            st.info("Search a person, company, phone, address, passport, case or flight to draw its network.")
            return
        click = st.session_state.get("net_view")  # the drawing's last click, read before drawing
        if isinstance(click, dict) and click.get("n") != ex.get("network.click"):
            ex["network.click"] = click.get("n")
            ex["network.selected"] = click["node"]
            if click.get("action") == "expand" and click["node"] not in ex.get("network.expanded", []):
                ex["network.expanded"] = [*ex.get("network.expanded", []), click["node"]]
        expanded = list(ex.get("network.expanded", []))
        g = view_graph(graph, seed, int(ex.get("network.hops", 2)), expanded, int(limit))
        if g.graph.get("truncated"):
            st.warning(
                f"The network has more nodes than the {int(limit):,} drawn (nearest and best linked first). "
                "Lower the hops, narrow the filters, or raise the limit (beyond about 1,500 nodes the drawing "
                "takes many seconds to lay out and pans and zooms jerkily)."
            )
        selected = ex.get("network.selected", seed)
        network_view(vis_spec(g, selected=selected), key="net_view")
        b1, b2, b3, b4 = st.columns(4)
        b1.button(
            "Expand selected",
            key="net_expand",
            disabled=selected in expanded,
            on_click=lambda: ex.update({"network.expanded": [*expanded, selected]}),
        )
        b2.button(
            "Centre on selected",
            key="net_centre",
            on_click=lambda: ex.update({"network.seed": selected, "network.expanded": []}),
        )
        b3.button(
            "Reset expansions",
            key="net_reset",
            disabled=not expanded,
            on_click=lambda: ex.update({"network.expanded": []}),
        )
        b4.caption(
            f"{count(g.number_of_nodes(), 'node')} · {count(g.number_of_edges(), 'link')} · "
            f"selected: {node_names(graph, [selected])[0]}"
        )
        st.markdown("#### Entity card")
        show_card(selected)
        with st.expander("Export this network"):
            export_panel(graph, list(g.nodes), state.filter)

    ego_panel()

with tab_path:
    a_col, b_col = st.columns(2)
    with a_col:
        a = pick("From", "net_path_a")
    with b_col:
        b = pick("To", "net_path_b")
    around = st.checkbox("Go around hubs", value=True, key="net_path_hubs")
    if a and b:
        path = shortest_path(graph, a, b, avoid_hubs=around)
        if path is None:
            st.info(
                "These two are not linked in the filtered graph" + (" (hubs set aside)." if around else ".")
            )
        else:
            st.success(describe_path(graph, path))
            pg = path_graph(graph, path)
            network_view(vis_spec(pg, path=path), height=360, key="net_path_view")

with tab_comm:
    comm = graph_communities(state.filter) if wanted("communities", graph, state.filter) else None
    if comm is None:
        pass
    elif comm.empty:
        st.info("No linked groups in the filtered graph.")
    else:
        table = community_table(graph, comm)
        st.caption(
            f"{len(table):,} linked groups (hubs set aside; large groups split by Louvain modularity)."
        )
        ev = st.dataframe(
            table.head(500),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="net_comm_table",
        )
        rows = ev.selection.rows if ev and ev.selection else []
        if rows:
            members = comm.index[comm == table.iloc[rows[0]]["community"]]
            if st.button(f"Draw community {table.iloc[rows[0]]['community']}", key="net_comm_draw"):
                focus(str(members[0]), [str(m) for m in members[1:60]])
                st.rerun()

with tab_rank:
    rank = graph_rankings(state.filter) if wanted("rankings", graph, state.filter) else None
    if rank is None:
        st.stop()
    st.caption(
        f"Persons and companies by number of distinct links (degree) and by betweenness (share of shortest "
        f"paths through them, estimated on {rank.attrs.get('betweenness_nodes', 0):,} nodes of the linked groups)."
    )
    ev = st.dataframe(
        rank,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="net_rank_table",
        column_config={"betweenness": st.column_config.NumberColumn(format="%.2e")},
    )
    rows = ev.selection.rows if ev and ev.selection else []
    if rows and st.button("Draw its network", key="net_rank_draw"):
        node = str(rank.iloc[rows[0]]["node_id"])
        focus(node)
        st.rerun()
