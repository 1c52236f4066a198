//go:build !purego

#include "textflag.h"

// AVX2+FMA kernels. Per row: accumulators A and B take values 8j..8j+3
// and 8j+4..8j+7 of each 8-value step, a last 4-value step goes to A, then
// A+B is reduced as ((l0+l1)+(l2+l3)) and the last 0-3 values are added
// one by one. The one-row and four-row kernels do exactly this per row,
// so a row's result does not depend on its group.

// func dot1(x, y *float64, n int) float64
TEXT ·dot1(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), R8
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y4, Y4, Y4
	XORQ BX, BX
	MOVQ CX, DX
	ANDQ $-8, DX
	JZ   step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VFMADD231PD (R8)(BX*8), Y8, Y0
	VFMADD231PD 32(R8)(BX*8), Y9, Y4
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VFMADD231PD (R8)(BX*8), Y8, Y0
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VHADDPD      Y0, Y0, Y0 // (l0+l1, ., l2+l3, .)
	VEXTRACTF128 $1, Y0, X4
	VADDSD       X4, X0, X0
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VFMADD231SD (R8)(BX*8), X8, X0
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func dots4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64)
TEXT ·dots4(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ c0+8(FP), R8
	MOVQ c1+16(FP), R9
	MOVQ c2+24(FP), R10
	MOVQ c3+32(FP), R11
	MOVQ n+40(FP), CX
	MOVQ out+48(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   BX, BX
	MOVQ   CX, DX
	ANDQ   $-8, DX
	JZ     step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VFMADD231PD (R8)(BX*8), Y8, Y0
	VFMADD231PD 32(R8)(BX*8), Y9, Y4
	VFMADD231PD (R9)(BX*8), Y8, Y1
	VFMADD231PD 32(R9)(BX*8), Y9, Y5
	VFMADD231PD (R10)(BX*8), Y8, Y2
	VFMADD231PD 32(R10)(BX*8), Y9, Y6
	VFMADD231PD (R11)(BX*8), Y8, Y3
	VFMADD231PD 32(R11)(BX*8), Y9, Y7
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VFMADD231PD (R8)(BX*8), Y8, Y0
	VFMADD231PD (R9)(BX*8), Y8, Y1
	VFMADD231PD (R10)(BX*8), Y8, Y2
	VFMADD231PD (R11)(BX*8), Y8, Y3
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VADDPD       Y6, Y2, Y2
	VADDPD       Y7, Y3, Y3
	VHADDPD      Y1, Y0, Y0 // (a0+a1, b0+b1, a2+a3, b2+b3)
	VHADDPD      Y3, Y2, Y2 // (c0+c1, d0+d1, c2+c3, d2+d3)
	VEXTRACTF128 $1, Y0, X4
	VADDPD       X4, X0, X0 // (a, b)
	VEXTRACTF128 $1, Y2, X5
	VADDPD       X5, X2, X2 // (c, d)
	VPERMILPD    $1, X0, X1 // b
	VPERMILPD    $1, X2, X3 // d
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VFMADD231SD (R8)(BX*8), X8, X0
	VFMADD231SD (R9)(BX*8), X8, X1
	VFMADD231SD (R10)(BX*8), X8, X2
	VFMADD231SD (R11)(BX*8), X8, X3
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VMOVSD X0, (DI)
	VMOVSD X1, 8(DI)
	VMOVSD X2, 16(DI)
	VMOVSD X3, 24(DI)
	VZEROUPPER
	RET

// func dots2(x, c0, c1 *float64, n int, out *[2]float64)
TEXT ·dots2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ c0+8(FP), R8
	MOVQ c1+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ   BX, BX
	MOVQ   CX, DX
	ANDQ   $-8, DX
	JZ     step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VFMADD231PD (R8)(BX*8), Y8, Y0
	VFMADD231PD 32(R8)(BX*8), Y9, Y4
	VFMADD231PD (R9)(BX*8), Y8, Y1
	VFMADD231PD 32(R9)(BX*8), Y9, Y5
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VFMADD231PD (R8)(BX*8), Y8, Y0
	VFMADD231PD (R9)(BX*8), Y8, Y1
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VHADDPD      Y1, Y0, Y0 // (a0+a1, b0+b1, a2+a3, b2+b3)
	VEXTRACTF128 $1, Y0, X4
	VADDPD       X4, X0, X0 // (a, b)
	VPERMILPD    $1, X0, X1 // b
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VFMADD231SD (R8)(BX*8), X8, X0
	VFMADD231SD (R9)(BX*8), X8, X1
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VMOVSD X0, (DI)
	VMOVSD X1, 8(DI)
	VZEROUPPER
	RET

// func sqDist1(x, y *float64, n int) float64
TEXT ·sqDist1(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), R8
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y4, Y4, Y4
	XORQ BX, BX
	MOVQ CX, DX
	ANDQ $-8, DX
	JZ   step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VSUBPD      (R8)(BX*8), Y8, Y10
	VSUBPD      32(R8)(BX*8), Y9, Y11
	VFMADD231PD Y10, Y10, Y0
	VFMADD231PD Y11, Y11, Y4
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VSUBPD      (R8)(BX*8), Y8, Y10
	VFMADD231PD Y10, Y10, Y0
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VHADDPD      Y0, Y0, Y0
	VEXTRACTF128 $1, Y0, X4
	VADDSD       X4, X0, X0
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VSUBSD      (R8)(BX*8), X8, X10
	VFMADD231SD X10, X10, X0
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func sqDists4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64)
TEXT ·sqDists4(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ c0+8(FP), R8
	MOVQ c1+16(FP), R9
	MOVQ c2+24(FP), R10
	MOVQ c3+32(FP), R11
	MOVQ n+40(FP), CX
	MOVQ out+48(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   BX, BX
	MOVQ   CX, DX
	ANDQ   $-8, DX
	JZ     step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VSUBPD      (R8)(BX*8), Y8, Y10
	VSUBPD      32(R8)(BX*8), Y9, Y11
	VSUBPD      (R9)(BX*8), Y8, Y12
	VSUBPD      32(R9)(BX*8), Y9, Y13
	VFMADD231PD Y10, Y10, Y0
	VFMADD231PD Y11, Y11, Y4
	VFMADD231PD Y12, Y12, Y1
	VFMADD231PD Y13, Y13, Y5
	VSUBPD      (R10)(BX*8), Y8, Y10
	VSUBPD      32(R10)(BX*8), Y9, Y11
	VSUBPD      (R11)(BX*8), Y8, Y12
	VSUBPD      32(R11)(BX*8), Y9, Y13
	VFMADD231PD Y10, Y10, Y2
	VFMADD231PD Y11, Y11, Y6
	VFMADD231PD Y12, Y12, Y3
	VFMADD231PD Y13, Y13, Y7
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VSUBPD      (R8)(BX*8), Y8, Y10
	VSUBPD      (R9)(BX*8), Y8, Y11
	VSUBPD      (R10)(BX*8), Y8, Y12
	VSUBPD      (R11)(BX*8), Y8, Y13
	VFMADD231PD Y10, Y10, Y0
	VFMADD231PD Y11, Y11, Y1
	VFMADD231PD Y12, Y12, Y2
	VFMADD231PD Y13, Y13, Y3
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VADDPD       Y6, Y2, Y2
	VADDPD       Y7, Y3, Y3
	VHADDPD      Y1, Y0, Y0
	VHADDPD      Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X4
	VADDPD       X4, X0, X0
	VEXTRACTF128 $1, Y2, X5
	VADDPD       X5, X2, X2
	VPERMILPD    $1, X0, X1
	VPERMILPD    $1, X2, X3
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VSUBSD      (R8)(BX*8), X8, X10
	VSUBSD      (R9)(BX*8), X8, X11
	VSUBSD      (R10)(BX*8), X8, X12
	VSUBSD      (R11)(BX*8), X8, X13
	VFMADD231SD X10, X10, X0
	VFMADD231SD X11, X11, X1
	VFMADD231SD X12, X12, X2
	VFMADD231SD X13, X13, X3
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VMOVSD X0, (DI)
	VMOVSD X1, 8(DI)
	VMOVSD X2, 16(DI)
	VMOVSD X3, 24(DI)
	VZEROUPPER
	RET

// func sqDists2(x, c0, c1 *float64, n int, out *[2]float64)
TEXT ·sqDists2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ c0+8(FP), R8
	MOVQ c1+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ   BX, BX
	MOVQ   CX, DX
	ANDQ   $-8, DX
	JZ     step4

loop8:
	VMOVUPD     (SI)(BX*8), Y8
	VMOVUPD     32(SI)(BX*8), Y9
	VSUBPD      (R8)(BX*8), Y8, Y10
	VSUBPD      32(R8)(BX*8), Y9, Y11
	VSUBPD      (R9)(BX*8), Y8, Y12
	VSUBPD      32(R9)(BX*8), Y9, Y13
	VFMADD231PD Y10, Y10, Y0
	VFMADD231PD Y11, Y11, Y4
	VFMADD231PD Y12, Y12, Y1
	VFMADD231PD Y13, Y13, Y5
	ADDQ        $8, BX
	CMPQ        BX, DX
	JB          loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   reduce
	VMOVUPD     (SI)(BX*8), Y8
	VSUBPD      (R8)(BX*8), Y8, Y10
	VSUBPD      (R9)(BX*8), Y8, Y11
	VFMADD231PD Y10, Y10, Y0
	VFMADD231PD Y11, Y11, Y1
	ADDQ        $4, BX

reduce:
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VHADDPD      Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X4
	VADDPD       X4, X0, X0
	VPERMILPD    $1, X0, X1
	CMPQ         BX, CX
	JAE          done

tail:
	VMOVSD      (SI)(BX*8), X8
	VSUBSD      (R8)(BX*8), X8, X10
	VSUBSD      (R9)(BX*8), X8, X11
	VFMADD231SD X10, X10, X0
	VFMADD231SD X11, X11, X1
	INCQ        BX
	CMPQ        BX, CX
	JB          tail

done:
	VMOVSD X0, (DI)
	VMOVSD X1, 8(DI)
	VZEROUPPER
	RET

// func add(dst, s *float64, n int)
TEXT ·add(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	MOVQ CX, DX
	ANDQ $-8, DX
	JZ   step4

loop8:
	VMOVUPD (DI)(BX*8), Y0
	VMOVUPD 32(DI)(BX*8), Y1
	VADDPD  (SI)(BX*8), Y0, Y0
	VADDPD  32(SI)(BX*8), Y1, Y1
	VMOVUPD Y0, (DI)(BX*8)
	VMOVUPD Y1, 32(DI)(BX*8)
	ADDQ    $8, BX
	CMPQ    BX, DX
	JB      loop8

step4:
	MOVQ CX, DX
	SUBQ BX, DX
	CMPQ DX, $4
	JB   last
	VMOVUPD (DI)(BX*8), Y0
	VADDPD  (SI)(BX*8), Y0, Y0
	VMOVUPD Y0, (DI)(BX*8)
	ADDQ    $4, BX

last:
	CMPQ BX, CX
	JAE  done

tail:
	VMOVSD (DI)(BX*8), X0
	VADDSD (SI)(BX*8), X0, X0
	VMOVSD X0, (DI)(BX*8)
	INCQ   BX
	CMPQ   BX, CX
	JB     tail

done:
	VZEROUPPER
	RET
