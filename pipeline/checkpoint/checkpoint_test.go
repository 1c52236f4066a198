package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSubtaskStateRoundTrip(t *testing.T) {
	cases := []SubtaskState{
		{},
		{Operator: []byte{}},
		{Operator: []byte("op"), KeySchema: []byte("schema"), KeyGroups: map[int][]byte{3: []byte("three"), 0: {}, 127: []byte("x")}},
	}
	for i, st := range cases {
		data := st.Marshal()
		got, err := UnmarshalSubtaskState(data, nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if (got.Operator == nil) != (st.Operator == nil) || !bytes.Equal(got.Operator, st.Operator) || !bytes.Equal(got.KeySchema, st.KeySchema) || len(got.KeyGroups) != len(st.KeyGroups) {
			t.Errorf("case %d: got %+v, want %+v", i, got, st)
		}
		for g, b := range st.KeyGroups {
			if !bytes.Equal(got.KeyGroups[g], b) {
				t.Errorf("case %d: group %d = %q, want %q", i, g, got.KeyGroups[g], b)
			}
		}
		some, _ := UnmarshalSubtaskState(data, func(g int) bool { return g < 10 })
		if _, ok := some.KeyGroups[127]; ok {
			t.Errorf("case %d: filtered group kept", i)
		}
		for j := range data {
			bad := bytes.Clone(data)
			bad[j] ^= 0x40
			if _, err := UnmarshalSubtaskState(bad, nil); err == nil {
				t.Fatalf("case %d: byte %d flipped: want an error", i, j)
			}
		}
	}
}

// conformance runs the Storage contract against s.
func conformance(t *testing.T, s Storage, keep int) {
	ctx := context.Background()
	if _, err := s.Latest(ctx); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("empty storage: Latest = %v, want ErrNoCheckpoint", err)
	}
	commit := func(id int64) {
		t.Helper()
		if err := s.Begin(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteFile(ctx, id, "a.state", []byte{byte(id)}); err != nil {
			t.Fatal(err)
		}
		m := &Manifest{ID: id, MaxKeyGroups: 8, Nodes: map[string]NodeState{"op": {Parallelism: 1, Files: []string{"a.state"}}}}
		if err := s.Commit(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for id := int64(1); id <= 5; id++ {
		commit(id)
	}
	// A crash mid-checkpoint: files written, no manifest.
	if err := s.Begin(ctx, 6); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, 6, "a.state", []byte("partial")); err != nil {
		t.Fatal(err)
	}
	m, err := s.Latest(ctx)
	if err != nil || m.ID != 5 {
		t.Fatalf("Latest after an incomplete checkpoint = %+v, %v; want 5", m, err)
	}
	data, err := s.ReadFile(ctx, 5, "a.state")
	if err != nil || !bytes.Equal(data, []byte{5}) {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	for id := int64(1); id <= 5-int64(keep); id++ {
		if _, err := s.ReadFile(ctx, id, "a.state"); err == nil {
			t.Errorf("checkpoint %d kept beyond retention %d", id, keep)
		}
	}
	if _, err := s.ReadFile(ctx, 5-int64(keep)+1, "a.state"); err != nil {
		t.Errorf("retained checkpoint: %v", err)
	}
	for _, bad := range []string{"", "../x", "a/b", ManifestFile} {
		if err := s.WriteFile(ctx, 6, bad, nil); err == nil {
			t.Errorf("WriteFile(%q): want an error", bad)
		}
	}
	commit(6) // Begin again discards the partial attempt
	if m, _ := s.Latest(ctx); m.ID != 6 {
		t.Errorf("Latest = %d, want 6", m.ID)
	}
}

func TestDirStorage(t *testing.T) {
	dir := t.TempDir()
	s, err := NewDir(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s, 2)
	// No temporary file is left, and a corrupt newest manifest falls back.
	tmps, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp*"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
	if err := os.MkdirAll(filepath.Join(dir, "chk-9"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chk-9", ManifestFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Latest(context.Background()); err != nil || m.ID != 6 {
		t.Errorf("Latest with a corrupt manifest = %+v, %v; want 6", m, err)
	}
}

func TestMemoryStorage(t *testing.T) {
	conformance(t, NewMemory(3), 3)
}

func FuzzUnmarshalSubtaskState(f *testing.F) {
	f.Add((&SubtaskState{Operator: []byte("op"), KeyGroups: map[int][]byte{1: []byte("x")}}).Marshal())
	f.Add((&SubtaskState{}).Marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := UnmarshalSubtaskState(data, nil)
		if err != nil {
			return
		}
		again, err := UnmarshalSubtaskState(st.Marshal(), nil)
		if err != nil {
			t.Fatalf("re-marshalled state does not decode: %v", err)
		}
		if len(again.KeyGroups) != len(st.KeyGroups) || !bytes.Equal(again.Operator, st.Operator) {
			t.Fatal("round trip changed the state")
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"id":3,"max_key_groups":128,"nodes":{"op":{"parallelism":1,"files":["a"]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		if m.ID < 1 || m.MaxKeyGroups < 1 {
			t.Fatalf("accepted %+v", m)
		}
	})
}
