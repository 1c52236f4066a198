package connectors

import (
	"strings"
	"testing"
)

func TestParseSchemaSpec(t *testing.T) {
	s, err := ParseSchemaSpec(" age:int64, name : string,ok:bool,x:vector[3],ts:timestamp")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"age: int64", "name: utf8", "ok: bool", "x: fixed_size_list<item: float64, nullable>[3]", "ts: timestamp[ms, tz=UTC]"}
	for i, f := range s.Fields() {
		if got := f.Name + ": " + f.Type.String(); got != want[i] {
			t.Errorf("field %d = %q, want %q", i, got, want[i])
		}
	}
	bad := map[string]string{
		"":               "empty schema",
		"a:int64,b":      `schema column 2: "b" is not name:type`,
		"a:int64,a:bool": `schema column 2: "a" repeats column 1`,
		"a:decimal":      `schema column 1 (a): unknown type "decimal"`,
		"v:vector[0]":    `schema column 1 (v): unknown type "vector[0]"`,
	}
	for in, msg := range bad {
		_, err := ParseSchemaSpec(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseSchemaSpec(%q) error = %v, want it to contain %q", in, err, msg)
		}
	}
}

func FuzzParseSchemaSpec(f *testing.F) {
	f.Add("a:int64,b:string")
	f.Add("v:vector[12]")
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSchemaSpec(spec)
		if err == nil && len(s.Fields()) == 0 {
			t.Fatal("no error and no fields")
		}
	})
}
