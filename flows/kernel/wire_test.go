package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := NewSigner("secret")
	parent := json.RawMessage(`{"msg_id":"p1","msg_type":"execute_request"}`)
	m := &Message{Identities: [][]byte{[]byte("id1"), []byte("id2")}, Header: NewHeader("stream", "sess"),
		Parent: parent, Content: json.RawMessage(`{"name":"stdout","text":"hi"}`), Buffers: [][]byte{{1, 2}}}
	frames, err := Encode(m, s)
	if err != nil {
		t.Fatal(err)
	}
	if string(frames[2]) != delimiter || len(frames[3]) != 64 {
		t.Fatalf("frames %q", frames)
	}
	got, err := Decode(frames, s)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != m.Header || !bytes.Equal(got.Parent, parent) || string(got.Content) != string(m.Content) ||
		len(got.Identities) != 2 || string(got.Identities[1]) != "id2" || len(got.Buffers) != 1 || string(got.Metadata) != "{}" {
		t.Errorf("round trip: %+v", got)
	}
	if string(got.rawHeader) != string(frames[4]) {
		t.Errorf("raw header %s", got.rawHeader)
	}
}

func TestSignatureKnownValue(t *testing.T) {
	// HMAC-SHA256("key", "abcd"), as Python's hmac.new(b"key", b"abcd", hashlib.sha256).hexdigest().
	got := NewSigner("key").Sign([]byte("a"), []byte("b"), []byte("c"), []byte("d"))
	if got != "2a31ec0ee8d878c9eece9fb0df79b3b90b2256240163aa5ee50d176d3d1121f8" {
		t.Errorf("signature %q", got)
	}
	if NewSigner("").Sign([]byte("a"), nil, nil, nil) != "" {
		t.Error("empty key signs")
	}
}

func TestDecodeRejects(t *testing.T) {
	s := NewSigner("secret")
	good, err := Encode(&Message{Header: NewHeader("kernel_info_request", "s"), Content: json.RawMessage(`{}`)}, s)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() [][]byte {
		out := make([][]byte, len(good))
		for i, f := range good {
			out[i] = append([]byte(nil), f...)
		}
		return out
	}
	badSig := clone()
	badSig[1][0] ^= 1
	tampered := clone()
	tampered[5] = []byte(`{"x":1}`)
	for _, tc := range []struct {
		name   string
		frames [][]byte
		signer *Signer
		err    string
	}{
		{"bad signature", badSig, s, "bad message signature"},
		{"tampered", tampered, s, "bad message signature"},
		{"other key", clone(), NewSigner("other"), "bad message signature"},
		{"no delimiter", [][]byte{[]byte("x")}, s, "no <IDS|MSG> delimiter"},
		{"short", [][]byte{[]byte(delimiter), []byte("sig")}, s, "want at least 5"},
		{"bad json", [][]byte{[]byte(delimiter), nil, []byte("{"), []byte("{}"), []byte("{}"), []byte("{}")}, NewSigner(""), "header"},
	} {
		_, err := Decode(tc.frames, tc.signer)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.err)
		}
		if strings.Contains(tc.err, "signature") && !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: not ErrBadSignature", tc.name)
		}
	}
	// Without a key any signature is accepted, as in Jupyter.
	if _, err := Decode(badSig, NewSigner("")); err != nil {
		t.Errorf("no key: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	s := NewSigner("k")
	good, _ := Encode(&Message{Header: NewHeader("execute_request", "s"), Content: json.RawMessage(`{"code":"1"}`)}, s)
	f.Add(bytes.Join(good, []byte{0}))
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, []byte{0})
		for _, signer := range []*Signer{s, NewSigner("")} {
			m, err := Decode(frames, signer)
			if err != nil {
				continue
			}
			// What decodes re-encodes and decodes to the same message.
			again, err := Encode(m, signer)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := Decode(again, signer)
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if m2.Header != m.Header || !bytes.Equal(m2.Content, m.Content) || len(m2.Identities) != len(m.Identities) {
				t.Fatalf("round trip changed %+v to %+v", m, m2)
			}
		}
	})
}
