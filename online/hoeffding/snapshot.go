package hoeffding

import (
	"fmt"
	"math"
	"slices"

	"github.com/eddyml/eddy/online/internal/olearn"
)

const magic = "EDDYHTRE"

// Snapshot encodes the whole tree, leaf statistics included, bit for bit.
func (t *Tree) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(magic, 1, 1024)
	e.F64(t.grace)
	e.F64(t.delta)
	e.F64(t.tau)
	e.U64(uint64(t.maxDepth))
	e.U64(uint64(t.bins))
	e.U64(uint64(t.dim))
	e.I64(t.rows)
	e.F64s(t.labels)
	nom := make([]float64, 0)
	for j, b := range t.nominal {
		if b {
			nom = append(nom, float64(j))
		}
	}
	e.F64s(nom)
	e.U64(uint64(len(t.nodes)))
	for i := range t.nodes {
		nd := &t.nodes[i]
		e.I64(int64(nd.feature))
		e.Bool(nd.nominal)
		e.F64(nd.threshold)
		e.I64(int64(nd.left))
		e.I64(int64(nd.right))
		e.U64(uint64(nd.depth))
		e.F64s(nd.counts)
		e.F64(nd.seen)
		e.F64(nd.lastEval)
		if nd.feature >= 0 {
			continue
		}
		for j := range t.dim {
			if t.nominal[j] {
				s := &nd.nom[j]
				e.F64s(s.vals)
				for _, c := range s.cnt {
					e.F64s(c)
				}
				continue
			}
			s := &nd.num[j]
			e.F64(s.lo)
			e.F64(s.hi)
			e.U64(uint64(len(s.cls)))
			for _, g := range s.cls {
				e.F64(g.n)
				e.F64(g.mean)
				e.F64(g.m2)
			}
		}
	}
	return e.B, nil
}

// Restore replaces the tree with a Snapshot taken with the same params;
// on error the learner is unchanged.
func (t *Tree) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(Kind, b, magic, 1)
	if err != nil {
		return err
	}
	t.readHyper()
	for _, p := range []struct {
		name      string
		got, want float64
	}{{"grace_period", d.F64(), t.grace}, {"split_confidence", d.F64(), t.delta}, {"tie_threshold", d.F64(), t.tau},
		{"max_depth", float64(d.U64()), float64(t.maxDepth)}, {"num_bins", float64(d.U64()), float64(t.bins)}} {
		if math.Float64bits(p.got) != math.Float64bits(p.want) {
			d.Fail(fmt.Errorf("snapshot has %s=%v, the learner %v", p.name, p.got, p.want))
		}
	}
	dim := d.U64()
	rows := d.I64()
	labels := d.F64s(1 << 20)
	nomIdx := d.F64s(maxFeatures)
	nn := d.U64()
	if dim > maxFeatures || nn > uint64(d.Remaining()) {
		d.Fail(fmt.Errorf("snapshot of %d features and %d nodes is implausible", dim, nn))
	}
	if d.Failed() {
		return fmt.Errorf("learner %q: restore: %w", Kind, d.Err())
	}
	nominal := make([]bool, dim)
	for _, j := range nomIdx {
		if j < 0 || uint64(j) >= dim {
			return fmt.Errorf("learner %q: restore: nominal feature %v of %d", Kind, j, dim)
		}
		nominal[int(j)] = true
	}
	want := slices.Sorted(slices.Values(NominalFeatures.Get(t.params)))
	got := []int{}
	for j, b := range nominal {
		if b {
			got = append(got, j)
		}
	}
	if dim > 0 && (len(want) > 0 || len(got) > 0) {
		if !slices.Equal(slices.Compact(want), got) {
			return fmt.Errorf("learner %q: restore: snapshot has nominal features %v, the learner %v", Kind, got, want)
		}
	}
	k := len(labels)
	nodes := make([]node, 0, min(nn, 1<<16))
	for i := uint64(0); i < nn && !d.Failed(); i++ {
		nd := node{feature: int(d.I64()), nominal: d.Bool(), threshold: d.F64(), left: int(d.I64()), right: int(d.I64()),
			depth: int(d.U64()), counts: d.F64s(k), seen: d.F64(), lastEval: d.F64()}
		if nd.feature >= int(dim) || nd.feature >= 0 && (nd.left <= int(i) || nd.right <= int(i) || uint64(nd.left) >= nn || uint64(nd.right) >= nn) {
			d.Fail(fmt.Errorf("node %d is malformed", i))
			break
		}
		if len(nd.counts) == 0 {
			nd.counts = nil
		}
		if nd.feature < 0 {
			if uint64(d.Remaining()) < 8*dim { // every feature takes at least 8 bytes
				d.Fail(fmt.Errorf("node %d: %d bytes left for %d features", i, d.Remaining(), dim))
				break
			}
			nd.num, nd.nom = make([]numStat, dim), make([]nomStat, dim)
			for j := range dim {
				if nominal[j] {
					s := &nd.nom[j]
					s.vals = d.F64s(d.Remaining() / 8)
					for range s.vals {
						s.cnt = append(s.cnt, d.F64s(k))
					}
					if len(s.vals) == 0 {
						s.vals = nil
					}
					continue
				}
				s := &nd.num[j]
				s.lo, s.hi = d.F64(), d.F64()
				nc := d.U64()
				if nc > uint64(k) {
					d.Fail(fmt.Errorf("node %d: %d class estimators for %d classes", i, nc, k))
					break
				}
				for range nc {
					s.cls = append(s.cls, gauss{n: d.F64(), mean: d.F64(), m2: d.F64()})
				}
			}
		}
		nodes = append(nodes, nd)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", Kind, err)
	}
	if n := NumFeatures.Get(t.params); n > 0 && uint64(n) != dim {
		return fmt.Errorf("learner %q: restore: snapshot has %d features, num_features is %d", Kind, dim, n)
	}
	index := make(map[float64]int, k)
	for i, l := range labels {
		index[l] = i
	}
	if len(labels) == 0 {
		labels = nil
	}
	if len(nodes) == 0 {
		nodes, nominal, dim = nil, nil, 0
	}
	t.dim, t.rows, t.labels, t.index, t.nominal, t.nodes = int(dim), rows, labels, index, nominal, nodes
	return nil
}
