//! Every iptables table on a kind node, as `iptables-save` prints them: kube-proxy's rules
//! ([`Tables`]) plus the chains the kubelet and kindnetd keep beside them. Only printed: packets
//! walk kube-proxy's [`Tables`], and none of the chains added here changes Service traffic in
//! svclab's model (kindnetd's masquerade of pod traffic leaving the cluster is not routed).
//!
//! Sources:
//! - The kubelet: kubernetes/kubernetes `pkg/kubelet/kubelet_network_linux.go` (commit
//!   a0d8ee7954d1, the version without KUBE-MARK-DROP): `syncIPTablesRules` ensures mangle
//!   `KUBE-IPTABLES-HINT` and the filter `KUBE-FIREWALL` (already in [`Tables`]);
//!   `initNetworkUtil` monitors the canary `KUBE-KUBELET-CANARY` in mangle, nat and filter.
//!   `Monitor` in `pkg/util/iptables/iptables.go` creates the canary in each of those tables.
//! - kube-proxy in iptables mode: `NewProxier` in `pkg/proxy/iptables/proxier.go` monitors
//!   `KUBE-PROXY-CANARY` in mangle, nat and filter (nat and filter are in [`Tables`]).
//! - kindnetd `v20260528-9350166c` (kubernetes-sigs/kind at 9350166c, unchanged at v0.32.0):
//!   `images/kindnetd/cmd/kindnetd/masq.go` `SyncRules` writes nat `KIND-MASQ-AGENT` with
//!   go-iptables (iptables, not nftables): a `RETURN` per pod subnet (`POD_SUBNET`, kind's
//!   `networking.podSubnet`), then `MASQUERADE`, and appends the jump from `POSTROUTING`.
//!   kube-proxy prepends its jumps, so kindnetd's comes after them.
//! - Table order: iptables-nft-save walks the tables in iptables' own order (mangle, security,
//!   raw, filter, nat: `nft_for_each_table` over the `NFT_TABLE_*` builtin tables in
//!   `iptables/nft.c`), printing those that exist.
//!
//! Left out: Docker's embedded-DNS chains (`DOCKER_OUTPUT`, `DOCKER_POSTROUTING`), which kind's
//! entrypoint rewrites from 127.0.0.11 to the Docker host's address: their DNAT and SNAT rules
//! name ports Docker's resolver picks when the node's container starts.

use super::build::{cluster_cidr, FILTER_BUILTINS, KUBE_PROXY_CANARY, NAT_BUILTINS};
use super::{Dir, Match, Rule, Table, TableBuilder, Tables, Target};
use crate::kube_proxy::{NodeInfo, ProxyMode};

const MANGLE_BUILTINS: &[&str] = &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/// The kubelet's hint to other components that it uses iptables-nft (mangle).
const KUBE_IPTABLES_HINT: &str = "KUBE-IPTABLES-HINT";
/// The kubelet's canary: when it disappears, the kubelet rewrites its rules.
const KUBE_KUBELET_CANARY: &str = "KUBE-KUBELET-CANARY";
/// kindnetd's masquerade chain (nat).
const KIND_MASQ_AGENT: &str = "KIND-MASQ-AGENT";

/// A node's iptables tables in `iptables-save` order: mangle, filter, nat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeTables {
    tables: Vec<Table>,
}

impl NodeTables {
    /// The node's tables when kube-proxy (in `mode`) wrote `proxy`.
    pub fn new(proxy: &Tables, node: &NodeInfo, mode: ProxyMode) -> NodeTables {
        let mut mangle = TableBuilder::new("mangle", MANGLE_BUILTINS);
        mangle.declare(KUBE_IPTABLES_HINT);
        mangle.declare(KUBE_KUBELET_CANARY);
        if mode == ProxyMode::Iptables {
            mangle.declare(KUBE_PROXY_CANARY);
        }

        let mut filter = TableBuilder::from_table(&proxy.filter, FILTER_BUILTINS);
        filter.declare(KUBE_KUBELET_CANARY);

        let mut nat = TableBuilder::from_table(&proxy.nat, NAT_BUILTINS);
        nat.declare(KUBE_KUBELET_CANARY);
        kind_masq_agent(&mut nat, node);

        NodeTables {
            tables: vec![mangle.finish(), filter.finish(), nat.finish()],
        }
    }

    /// `mangle`, `filter` or `nat`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// `iptables-save -t <table>`; `None` for a table the node does not have.
    pub fn save(&self, table: &str) -> Option<String> {
        self.table(table).map(Table::save)
    }

    /// `iptables-save`: every table.
    pub fn save_all(&self) -> String {
        self.tables.iter().map(Table::save).collect()
    }

    /// `iptables -t <table> -L <chain> -n`. `None` when the table or chain does not exist.
    pub fn list_chain(&self, table: &str, chain: &str) -> Option<String> {
        let t = self.table(table)?;
        t.chain(chain).map(|c| t.list_chain(c))
    }

    /// `iptables -t <table> -L -n`: every chain, separated by blank lines.
    pub fn list(&self, table: &str) -> Option<String> {
        self.table(table).map(Table::list)
    }
}

/// kindnetd's `SyncRules` for IPv4: pod traffic to the pod subnet keeps its source, everything
/// else leaving the node is masqueraded.
fn kind_masq_agent(nat: &mut TableBuilder, node: &NodeInfo) {
    nat.declare(KIND_MASQ_AGENT);
    if let Some(cidr) = cluster_cidr(node) {
        nat.push(
            KIND_MASQ_AGENT,
            Rule::new()
                .dst(cidr)
                .comment("kind-masq-agent: local traffic is not subject to MASQUERADE")
                .j(Target::Return),
        );
    }
    nat.push(
        KIND_MASQ_AGENT,
        Rule::new()
            .comment("kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)")
            .j(Target::Masquerade { random_fully: false }),
    );
    nat.push(
        "POSTROUTING",
        Rule::new()
            .m(Match::AddrType {
                dir: Dir::Dst,
                invert: true,
            })
            .comment("kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain")
            .jump_to(KIND_MASQ_AGENT),
    );
}
