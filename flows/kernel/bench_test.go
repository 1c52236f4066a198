package kernel_test

import (
	"testing"

	"github.com/eddyml/eddy/flows/kernel"
)

// BenchmarkExecuteRoundTrip measures one small cell through the whole
// protocol on loopback: execute_request signed and sent, the cell run,
// iopub messages up to idle and the execute_reply received.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	c, _, _ := startKernel(b, kernel.Options{})
	c.execute("x = 0")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := c.execute("x = x + 1\nx")
		if r.reply["status"] != "ok" {
			b.Fatalf("reply %v", r.reply)
		}
	}
}
