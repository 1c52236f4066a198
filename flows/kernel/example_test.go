package kernel_test

import (
	"fmt"

	"github.com/eddyml/eddy/flows/kernel"
)

func ExampleParseConnection() {
	info, err := kernel.ParseConnection([]byte(`{"shell_port": 57001, "iopub_port": 57002, "stdin_port": 57003,
		"control_port": 57004, "hb_port": 57005, "ip": "127.0.0.1", "key": "a0436f6c", "transport": "tcp",
		"signature_scheme": "hmac-sha256"}`), "kernel-1.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Transport, info.IP, info.ShellPort, info.HBPort)
	_, err = kernel.ParseConnection([]byte(`{"signature_scheme": "hmac-md5"}`), "kernel-2.json")
	fmt.Println(err)
	// Output:
	// tcp 127.0.0.1 57001 57005
	// connection file kernel-2.json: field "signature_scheme": "hmac-md5" is not supported (only hmac-sha256)
}

func ExampleNewSpec() {
	spec := kernel.NewSpec("/usr/local/bin/eddy")
	fmt.Println(spec.Argv, spec.DisplayName, spec.Language)
	// Output:
	// [/usr/local/bin/eddy kernel --connection-file {connection_file}] Eddy (gpython) python
}
