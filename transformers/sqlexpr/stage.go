package sqlexpr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	KindSelect = "sql_select"
	KindFilter = "sql_filter"
)

// SelectList is the select list of sql_select.
var SelectList = param.New("select", "output columns, in order: `*` (every input column) or `expr [AS name]`",
	[]string{"*"}, param.Func("a non-empty list of valid select items", func(items []string) error {
		if len(items) == 0 {
			return errors.New("is empty")
		}
		for i, s := range items {
			if _, err := ParseSelectItem(s); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		return nil
	}))

// Where is the row predicate: rows where it is not TRUE are dropped.
var Where = param.New("where", "row predicate (BOOLEAN expression); rows where it is FALSE or NULL are dropped; empty keeps every row",
	"", param.Func("a valid expression or empty", func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := Parse(s)
		return err
	}))

// filterWhere is sql_filter's where: required.
var filterWhere = param.New("where", "row predicate (BOOLEAN expression); rows where it is FALSE or NULL are dropped",
	"TRUE", param.Func("a valid expression", func(s string) error {
		_, err := Parse(s)
		return err
	}))

func init() {
	registry.MustRegister(registry.Spec{Kind: KindSelect,
		Doc: "SQL-like select list (expressions, rename, cast) with an optional WHERE filter.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewSelect(p) }})
	registry.MustRegister(registry.Spec{Kind: KindFilter,
		Doc: "Keeps the rows where a SQL-like predicate is TRUE.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewFilter(p) }})
}

// Select is the sql_select transformer: its output has the columns of the
// select list, over the rows that pass where.
type Select struct {
	params *param.Set
	plans  atomic.Pointer[plan]
}

// Filter is the sql_filter transformer: its output has the input columns,
// over the rows where the predicate is TRUE.
type Filter struct {
	params *param.Set
	plans  atomic.Pointer[plan]
}

var (
	_ pipeline.Transformer = (*Select)(nil)
	_ pipeline.Transformer = (*Filter)(nil)
)

// NewSelect builds a sql_select stage from param values ("select", "where").
func NewSelect(values map[string]any) (*Select, error) {
	s := &Select{params: param.NewSet(KindSelect, SelectList, Where)}
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

// NewFilter builds a sql_filter stage from param values ("where").
func NewFilter(values map[string]any) (*Filter, error) {
	s := &Filter{params: param.NewSet(KindFilter, filterWhere)}
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Select) Kind() string       { return KindSelect }
func (s *Select) Params() *param.Set { return s.params }
func (s *Filter) Kind() string       { return KindFilter }
func (s *Filter) Params() *param.Set { return s.params }

// SetSelect sets the select list.
func (s *Select) SetSelect(items ...string) error { return SelectList.Set(s.params, items) }

// SetWhere sets the predicate ("" keeps every row).
func (s *Select) SetWhere(pred string) error { return Where.Set(s.params, pred) }

// SetWhere sets the predicate.
func (s *Filter) SetWhere(pred string) error { return filterWhere.Set(s.params, pred) }

func (s *Select) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := getPlan(&s.plans, KindSelect, in, SelectList.Get(s.params), Where.Get(s.params))
	if err != nil {
		return nil, err
	}
	return p.out, nil
}

func (s *Select) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	p, err := getPlan(&s.plans, KindSelect, rec.Schema(), SelectList.Get(s.params), Where.Get(s.params))
	if err != nil {
		return nil, err
	}
	return p.run(pipeline.Allocator(ctx), rec)
}

func (s *Filter) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := getPlan(&s.plans, KindFilter, in, []string{"*"}, filterWhere.Get(s.params))
	if err != nil {
		return nil, err
	}
	return p.out, nil
}

func (s *Filter) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	p, err := getPlan(&s.plans, KindFilter, rec.Schema(), []string{"*"}, filterWhere.Get(s.params))
	if err != nil {
		return nil, err
	}
	return p.run(pipeline.Allocator(ctx), rec)
}

// plan is a stage compiled for one input schema and the param values
// items and where.
type plan struct {
	in    *arrow.Schema
	items []string
	where string
	out   *arrow.Schema
	pred  *Compiled // nil: keep every row
	cols  []planItem
}

// planItem is an output column: an input column passed through (col >= 0)
// or a computed expression.
type planItem struct {
	col  int
	expr *Compiled
}

// getPlan returns the plan cached in cache when it was made for in, or
// compiles and caches a new one.
func getPlan(cache *atomic.Pointer[plan], kind string, in *arrow.Schema, items []string, where string) (*plan, error) {
	if p := cache.Load(); p != nil && p.where == where && slices.Equal(p.items, items) && (p.in == in || p.in.Equal(in)) {
		return p, nil
	}
	p, err := compilePlan(in, items, where)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", kind, err)
	}
	cache.Store(p)
	return p, nil
}

func compilePlan(in *arrow.Schema, items []string, where string) (*plan, error) {
	p := &plan{in: in, items: items, where: where}
	if strings.TrimSpace(where) != "" {
		e, err := Parse(where)
		if err != nil {
			return nil, fmt.Errorf("where: %w", err)
		}
		c, err := Compile(e, in)
		if err != nil {
			return nil, fmt.Errorf("where: %w", err)
		}
		if t := c.Type(); t != Bool {
			return nil, fmt.Errorf("where: expression %q has type %s, want BOOLEAN", where, t)
		}
		p.pred = c
	}
	var fields []arrow.Field
	seen := map[string]int{}
	add := func(i int, f arrow.Field, it planItem) error {
		if j, dup := seen[f.Name]; dup {
			return fmt.Errorf("select: items %d and %d both make output column %q (rename one with AS)", j, i, f.Name)
		}
		seen[f.Name] = i
		fields = append(fields, f)
		p.cols = append(p.cols, it)
		return nil
	}
	for i, s := range items {
		it, err := ParseSelectItem(s)
		if err != nil {
			return nil, fmt.Errorf("select item %d: %w", i, err)
		}
		if it.Star {
			for c, f := range in.Fields() {
				if err := add(i, f, planItem{col: c}); err != nil {
					return nil, err
				}
			}
			continue
		}
		name := it.Name()
		if root := it.Expr.root; root.kind == nCol {
			// A bare column passes through with its type (vectors too).
			c, err := (&checker{schema: in}).column(root)
			if err != nil {
				return nil, fmt.Errorf("select item %d: %w", i, wrapSrc(it.Expr.src, err))
			}
			f := in.Field(c)
			f.Name = name
			if err := add(i, f, planItem{col: c}); err != nil {
				return nil, err
			}
			continue
		}
		c, err := Compile(it.Expr, in)
		if err != nil {
			return nil, fmt.Errorf("select item %d: %w", i, err)
		}
		if c.Type() == Null {
			return nil, fmt.Errorf("select item %d: expression %q has type NULL: give it one with CAST(... AS DOUBLE)", i, it.Expr.src)
		}
		if err := add(i, arrow.Field{Name: name, Type: c.Type().Arrow(), Nullable: true}, planItem{col: -1, expr: c}); err != nil {
			return nil, err
		}
	}
	md := in.Metadata()
	p.out = arrow.NewSchema(fields, &md)
	return p, nil
}

// run applies the plan to rec (borrowed).
func (p *plan) run(mem memory.Allocator, rec arrow.Record) (arrow.Record, error) {
	cur := rec
	if p.pred != nil {
		pred := p.pred.root.eval(newEnv(rec))
		mask := make([]bool, pred.n)
		all := true
		for k, b := range pred.b {
			mask[k] = b && pred.isValid(k)
			all = all && mask[k]
		}
		if !all {
			f, err := table.Filter(mem, rec, mask)
			if err != nil {
				return nil, fmt.Errorf("filter: %w", err)
			}
			defer f.Release()
			cur = f
		}
	}
	cols := make([]arrow.Array, 0, len(p.cols))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	e := newEnv(cur)
	for _, it := range p.cols {
		if it.col >= 0 {
			c := cur.Column(it.col)
			c.Retain()
			cols = append(cols, c)
			continue
		}
		cols = append(cols, toArrow(mem, it.expr.Type(), it.expr.root.eval(e)))
	}
	return array.NewRecord(p.out, cols, cur.NumRows()), nil
}

// Eval evaluates c over rec (borrowed) and returns the result as an Arrow
// array of c.Type().Arrow(), built with mem. The caller owns one Release.
func (c *Compiled) Eval(mem memory.Allocator, rec arrow.Record) arrow.Array {
	return toArrow(mem, c.Type(), c.root.eval(newEnv(rec)))
}

func toArrow(mem memory.Allocator, t Type, v *vec) arrow.Array {
	switch t {
	case Float:
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(v.f, v.valid)
		return b.NewArray()
	case Int:
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(v.i, v.valid)
		return b.NewArray()
	case Bool:
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		b.AppendValues(v.b, v.valid)
		return b.NewArray()
	case String:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.AppendValues(v.s, v.valid)
		return b.NewArray()
	}
	return array.NewNull(v.n)
}
