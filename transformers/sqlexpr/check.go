package sqlexpr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Compiled is an expression checked against an input schema: its column
// references are resolved and every operator has operands of known
// types. It is immutable and safe for concurrent use.
type Compiled struct {
	src  string
	root tnode
}

// Type returns the result type.
func (c *Compiled) Type() Type { return c.root.typ() }

// Compile checks e against schema. Errors name the expression, the
// 1-based column of the offending part and the problem, such as an unknown
// column (listing the available ones) or mistyped operands.
func Compile(e *Expr, schema *arrow.Schema) (*Compiled, error) {
	c := checker{schema: schema}
	root, err := c.check(e.root, 0)
	if err != nil {
		return nil, wrapSrc(e.src, err)
	}
	return &Compiled{src: e.src, root: root}, nil
}

type checker struct {
	schema *arrow.Schema
}

func (c *checker) available() string {
	names := make([]string, c.schema.NumFields())
	for i, f := range c.schema.Fields() {
		names[i] = f.Name
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// column resolves a column reference.
func (c *checker) column(n *node) (int, error) {
	idx := c.schema.FieldIndices(n.name)
	switch len(idx) {
	case 0:
		return -1, errAt(n.pos, "column %q not found; available: %s", n.name, c.available())
	case 1:
		return idx[0], nil
	}
	return -1, errAt(n.pos, "column %q is ambiguous: the input has %d columns with that name", n.name, len(idx))
}

func (c *checker) check(n *node, depth int) (tnode, error) {
	if depth > maxDepth {
		return nil, errAt(n.pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	args := make([]tnode, len(n.args))
	for i, a := range n.args {
		t, err := c.check(a, depth+1)
		if err != nil {
			return nil, err
		}
		args[i] = t
	}
	switch n.kind {
	case nCol:
		idx, err := c.column(n)
		if err != nil {
			return nil, err
		}
		t, err := typeOf(c.schema.Field(idx).Type)
		if err != nil {
			return nil, errAt(n.pos, "column %q %v", n.name, err)
		}
		return &colNode{idx: idx, t: t}, nil
	case nLit:
		return &litNode{lit: n.lit}, nil
	case nCast:
		return &castNode{x: args[0], to: n.lit.typ}, nil
	case nIsNull:
		return &isNullNode{x: args[0], not: n.not}, nil
	case nUnary:
		return c.unary(n, args[0])
	case nBinary:
		return c.binary(n, args[0], args[1])
	case nCase:
		return c.caseWhen(n, args)
	case nCall:
		return c.call(n, args)
	}
	return nil, errAt(n.pos, "unknown syntax node %d", n.kind)
}

func (c *checker) unary(n *node, x tnode) (tnode, error) {
	t := x.typ()
	if n.name == "NOT" {
		if t != Bool && t != Null {
			return nil, errAt(n.pos, "NOT wants a BOOLEAN operand, got %s", t)
		}
		return &notNode{x: promote(x, Bool)}, nil
	}
	if !t.numeric() && t != Null {
		return nil, errAt(n.pos, "unary %s wants a numeric operand, got %s", n.name, t)
	}
	if t == Null {
		x, t = promote(x, Float), Float
	}
	if n.name == "+" {
		return x, nil
	}
	return &negNode{x: x, t: t}, nil
}

func (c *checker) binary(n *node, l, r tnode) (tnode, error) {
	lt, rt := l.typ(), r.typ()
	op := n.name
	switch op {
	case "AND", "OR":
		for _, t := range []Type{lt, rt} {
			if t != Bool && t != Null {
				return nil, errAt(n.pos, "%s wants BOOLEAN operands, got %s and %s", op, lt, rt)
			}
		}
		return &logicNode{and: op == "AND", l: promote(l, Bool), r: promote(r, Bool)}, nil
	case "||":
		return &concatNode{l: promote(l, String), r: promote(r, String)}, nil
	case "+", "-", "*", "/", "%":
		if !(lt.numeric() || lt == Null) || !(rt.numeric() || rt == Null) {
			return nil, errAt(n.pos, "operator %s wants numeric operands, got %s and %s", op, lt, rt)
		}
		t := Int
		if lt == Float || rt == Float || op == "/" || lt == Null && rt == Null {
			t = Float
		}
		return &arithNode{op: op[0], t: t, l: promote(l, t), r: promote(r, t)}, nil
	}
	// Comparisons.
	t, err := unify(lt, rt)
	if err != nil {
		return nil, errAt(n.pos, "cannot compare %s with %s", lt, rt)
	}
	if t == Null {
		t = Float
	}
	if t == Bool && op != "=" && op != "!=" {
		return nil, errAt(n.pos, "operator %s does not apply to BOOLEAN operands", op)
	}
	return &cmpNode{op: op, t: t, l: promote(l, t), r: promote(r, t)}, nil
}

// unify returns the common type of values of types ts: equal types, or
// BIGINT and DOUBLE as DOUBLE; NULL goes with anything.
func unify(ts ...Type) (Type, error) {
	out := Null
	for _, t := range ts {
		switch {
		case t == Null || t == out:
		case out == Null:
			out = t
		case out.numeric() && t.numeric():
			out = Float
		default:
			return Null, fmt.Errorf("types %s and %s do not mix", out, t)
		}
	}
	return out, nil
}

// promote converts x to type t, which unify chose.
func promote(x tnode, t Type) tnode {
	if x.typ() == t {
		return x
	}
	return &castNode{x: x, to: t}
}

func (c *checker) caseWhen(n *node, args []tnode) (tnode, error) {
	cn := &caseNode{}
	var vals []tnode
	for i := 0; i+1 < len(args); i += 2 {
		if t := args[i].typ(); t != Bool && t != Null {
			return nil, errAt(n.args[i].pos, "WHEN condition must be BOOLEAN, got %s", t)
		}
		cn.conds = append(cn.conds, promote(args[i], Bool))
		vals = append(vals, args[i+1])
	}
	if n.hasElse {
		vals = append(vals, args[len(args)-1])
	}
	types := make([]Type, len(vals))
	for i, v := range vals {
		types[i] = v.typ()
	}
	t, err := unify(types...)
	if err != nil {
		return nil, errAt(n.pos, "CASE branches: %v", err)
	}
	for i := range vals {
		vals[i] = promote(vals[i], t)
	}
	cn.t = t
	cn.vals = vals[:len(cn.conds)]
	if n.hasElse {
		cn.els = vals[len(vals)-1]
	}
	return cn, nil
}

// functions: name -> number of args (-1: one or more).
var functions = map[string]int{
	"abs": 1, "sqrt": 1, "exp": 1, "log": 1, "ln": 1, "log10": 1, "pow": 2, "power": 2,
	"lower": 1, "upper": 1, "length": 1, "coalesce": -1, "if": 3,
}

func functionNames() string {
	return "abs, coalesce, exp, if, length, ln, log, log10, lower, pow, power, sqrt, upper"
}

func (c *checker) call(n *node, args []tnode) (tnode, error) {
	arity, ok := functions[n.name]
	if !ok {
		return nil, errAt(n.pos, "unknown function %s; known: %s", n.name, functionNames())
	}
	if arity >= 0 && len(args) != arity || arity < 0 && len(args) == 0 {
		want := fmt.Sprint(arity)
		if arity < 0 {
			want = "at least 1"
		}
		return nil, errAt(n.pos, "function %s takes %s argument(s), got %d", n.name, want, len(args))
	}
	argErr := func(i int, want string) error {
		return errAt(n.args[i].pos, "function %s: argument %d must be %s, got %s", n.name, i+1, want, args[i].typ())
	}
	numeric := func(i int) bool { t := args[i].typ(); return t.numeric() || t == Null }
	switch n.name {
	case "abs":
		if !numeric(0) {
			return nil, argErr(0, "numeric")
		}
		t := args[0].typ()
		if t == Null {
			t = Float
		}
		return &funcNode{name: n.name, t: t, args: []tnode{promote(args[0], t)}}, nil
	case "sqrt", "exp", "log", "ln", "log10", "pow", "power":
		for i := range args {
			if !numeric(i) {
				return nil, argErr(i, "numeric")
			}
			args[i] = promote(args[i], Float)
		}
		return &funcNode{name: n.name, t: Float, args: args}, nil
	case "lower", "upper", "length":
		if t := args[0].typ(); t != String && t != Null {
			return nil, argErr(0, "STRING")
		}
		t := String
		if n.name == "length" {
			t = Int
		}
		return &funcNode{name: n.name, t: t, args: []tnode{promote(args[0], String)}}, nil
	case "coalesce":
		types := make([]Type, len(args))
		for i, a := range args {
			types[i] = a.typ()
		}
		t, err := unify(types...)
		if err != nil {
			return nil, errAt(n.pos, "coalesce: %v", err)
		}
		for i := range args {
			args[i] = promote(args[i], t)
		}
		return &coalesceNode{t: t, args: args}, nil
	case "if":
		if t := args[0].typ(); t != Bool && t != Null {
			return nil, argErr(0, "BOOLEAN")
		}
		t, err := unify(args[1].typ(), args[2].typ())
		if err != nil {
			return nil, errAt(n.pos, "if: %v", err)
		}
		return &caseNode{t: t, conds: []tnode{promote(args[0], Bool)},
			vals: []tnode{promote(args[1], t)}, els: promote(args[2], t)}, nil
	}
	return nil, errors.New("unreachable")
}
