package catutil

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestStrTable checks StrTable against a map on strings around the
// short/long boundary (7 and 8 bytes), with NUL bytes, prefixes of each
// other and the empty string, through several growths.
func TestStrTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var keys []string
	for _, s := range []string{"", "\x00", "\x00\x00", "a", "a\x00", "abcdefg", "abcdefgh", "abcdefgh\x00",
		"abcdefghi", "abcdefghabcdefgh", "abcdefghabcdefgh\x00", strings.Repeat("x", 100)} {
		keys = append(keys, s)
	}
	for i := 0; i < 3000; i++ {
		b := make([]byte, rng.IntN(20))
		for j := range b {
			b[j] = byte("ab\x00\xff"[rng.IntN(4)])
		}
		keys = append(keys, string(b), fmt.Sprintf("d%d", i))
	}
	var tbl StrTable
	want := map[string]int32{}
	for _, k := range keys {
		id, added := tbl.Add(k)
		w, seen := want[k]
		if !seen {
			w = int32(len(want))
			want[k] = w
		}
		if id != w || added == seen {
			t.Fatalf("Add(%q) = %d, %v; want %d, %v", k, id, added, w, !seen)
		}
	}
	if tbl.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", tbl.Len(), len(want))
	}
	for k, w := range want {
		if got := tbl.Find(k); got != w {
			t.Fatalf("Find(%q) = %d, want %d", k, got, w)
		}
		if got := tbl.String(w); got != k {
			t.Fatalf("String(%d) = %q, want %q", w, got, k)
		}
	}
	for _, k := range []string{"zz", "abcdefgz", "abcdefghz", "d3000", strings.Repeat("x", 99)} {
		if _, ok := want[k]; ok {
			continue
		}
		if got := tbl.Find(k); got != -1 {
			t.Errorf("Find(%q) = %d, want -1", k, got)
		}
	}
	var empty StrTable
	if got := empty.Find("a"); got != -1 || empty.Len() != 0 {
		t.Errorf("empty table: Find = %d, Len = %d", got, empty.Len())
	}
}

// FuzzStrTable checks that StrTable agrees with a map: the input is split
// into keys at '|'.
func FuzzStrTable(f *testing.F) {
	f.Add("a|b|a||abcdefgh|abcdefgh|abcdefg")
	f.Add("\x00|\x00\x00|12345678901234567|12345678901234567")
	f.Fuzz(func(t *testing.T, in string) {
		var tbl StrTable
		want := map[string]int32{}
		for _, k := range strings.Split(in, "|") {
			id, added := tbl.Add(k)
			w, seen := want[k]
			if !seen {
				w = int32(len(want))
				want[k] = w
			}
			if id != w || added == seen {
				t.Fatalf("Add(%q) = %d, %v; want %d, %v", k, id, added, w, !seen)
			}
		}
		for k, w := range want {
			if tbl.Find(k) != w || tbl.String(w) != k {
				t.Fatalf("key %q: Find %d, String(%d) %q", k, tbl.Find(k), w, tbl.String(w))
			}
			if _, ok := want[k+"\x00"]; !ok && tbl.Find(k+"\x00") != -1 {
				t.Fatalf("Find(%q) found a key never added", k+"\x00")
			}
		}
	})
}

func benchKeys(n, card int) []string {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("d%d", rng.IntN(card))
	}
	return keys
}

// BenchmarkStrTableFind and BenchmarkMapFind look up 1M labels of 1000
// categories ("d0".."d999").
func BenchmarkStrTableFind(b *testing.B) {
	keys := benchKeys(1<<20, 1000)
	var tbl StrTable
	for i := range 1000 {
		tbl.Add(fmt.Sprintf("d%d", i))
	}
	b.ResetTimer()
	var sum int32
	for b.Loop() {
		for _, k := range keys {
			sum += tbl.Find(k)
		}
	}
	b.ReportMetric(float64(len(keys))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	_ = sum
}

func BenchmarkMapFind(b *testing.B) {
	keys := benchKeys(1<<20, 1000)
	m := map[string]int32{}
	for i := range 1000 {
		m[fmt.Sprintf("d%d", i)] = int32(i)
	}
	b.ResetTimer()
	var sum int32
	for b.Loop() {
		for _, k := range keys {
			sum += m[k]
		}
	}
	b.ReportMetric(float64(len(keys))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	_ = sum
}
