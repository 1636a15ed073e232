// Package sakke implements Sakai-Kasahara Key Encryption (SAKKE, RFC 6508)
// with the MIKEY-SAKKE public parameters (RFC 6509 Appendix A): the
// supersingular curve E: y^2 = x^3 - 3x over a 1024-bit prime field, the
// Tate-Lichtenbaum pairing of RFC 6508 §3.2, HashToIntegerRange (§5.1),
// key extraction and RSK validation (§6.1), encapsulation (§6.2.1) and
// decapsulation (§6.2.2), and the MIKEY-SAKKE identifiers of RFC 6509 §3.2.
//
// The package is written for analysis and test generation: it uses math/big
// and is not constant time. It never prints key material.
package sakke

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"math/big"
	"strings"
)

// Params is a SAKKE public parameter set (RFC 6508 §2.3): the field prime p,
// the subgroup order q, the generator P of E(F_p)[q], g = <P,P> represented
// in F_p, the hash and the SSV size n.
type Params struct {
	ID   uint8            // SAKKE params value in the MIKEY SAKKE payload (RFC 6509 §4.2)
	Name string           // human name, e.g. "Parameter Set 1"
	P    *big.Int         // field prime p, p = 3 mod 4
	Q    *big.Int         // odd prime dividing p+1
	Base Point            // P = (Px, Py), generator of E(F_p)[q]
	G    *big.Int         // g = <P,P> as its F_p representative
	N    int              // n, the SSV size in bits
	Hash func() hash.Hash // Hash

	c      *big.Int // (p+1)/q, the pairing exponent
	qm1    *big.Int // q-1, whose bits drive the Miller loop
	twoN   *big.Int // 2^n
	l      int      // L = Ceiling(lg(p)/8), octets per F_p element
	three  *big.Int
	mont   *mont // Montgomery arithmetic modulo p
	threeM fe    // 3 in Montgomery form
}

// L returns the length in octets of an F_p element (RFC 6508 §4).
func (pp *Params) L() int { return pp.l }

// SSVLen returns the SSV length in octets (n/8).
func (pp *Params) SSVLen() int { return pp.N / 8 }

// EncapsulatedLen returns the length of Encapsulated Data, 2L + n/8 + 1
// octets (RFC 6508 §4; n there counts octets of the integer H).
func (pp *Params) EncapsulatedLen() int { return 2*pp.l + 1 + pp.N/8 }

func hexInt(s string) *big.Int {
	s = strings.Join(strings.Fields(s), "")
	v, _ := new(big.Int).SetString(s, 16) // fixed text below; checked by TestParameterSet1
	return v
}

// newParams completes the derived values of a parameter set.
func newParams(id uint8, name string, p, q, px, py, g *big.Int, n int) *Params {
	pp := &Params{ID: id, Name: name, P: p, Q: q, Base: Point{X: px, Y: py}, G: g, N: n, Hash: sha256.New}
	pp1 := new(big.Int).Add(p, big.NewInt(1))
	pp.c = new(big.Int).Quo(pp1, q)
	pp.qm1 = new(big.Int).Sub(q, big.NewInt(1))
	pp.twoN = new(big.Int).Lsh(big.NewInt(1), uint(n))
	pp.l = (p.BitLen() + 7) / 8
	pp.three = big.NewInt(3)
	pp.mont = newMont(p)
	pp.mont.toMont(&pp.threeM, pp.three)
	return pp
}

var paramSet1 = newParams(1, "Parameter Set 1",
	hexInt(`997ABB1F 0A563FDA 65C61198 DAD0657A 416C0CE1 9CB48261 BE9AE358 B3E01A2E
		F40AAB27 E2FC0F1B 228730D5 31A59CB0 E791B39F F7C88A19 356D27F4 A666A6D0
		E26C6487 326B4CD4 512AC5CD 65681CE1 B6AFF4A8 31852A82 A7CF3C52 1C3C09AA
		9F94D6AF 56971F1F FCE3E823 89857DB0 80C5DF10 AC7ACE87 666D807A FEA85FEB`),
	hexInt(`265EAEC7 C2958FF6 99718466 36B4195E 905B0338 672D2098 6FA6B8D6 2CF8068B
		BD02AAC9 F8BF03C6 C8A1CC35 4C69672C 39E46CE7 FDF22286 4D5B49FD 2999A9B4
		389B1921 CC9AD335 144AB173 595A0738 6DABFD2A 0C614AA0 A9F3CF14 870F026A
		A7E535AB D5A5C7C7 FF38FA08 E2615F6C 203177C4 2B1EB3A1 D99B601E BFAA17FB`),
	hexInt(`53FC09EE 332C29AD 0A799005 3ED9B52A 2B1A2FD6 0AEC69C6 98B2F204 B6FF7CBF
		B5EDB6C0 F6CE2308 AB10DB90 30B09E10 43D5F22C DB9DFA55 718BD9E7 406CE890
		9760AF76 5DD5BCCB 337C8654 8B72F2E1 A702C339 7A60DE74 A7C1514D BA66910D
		D5CFB4CC 80728D87 EE9163A5 B63F73EC 80EC46C4 967E0979 880DC8AB EAE63895`),
	hexInt(`0A824906 3F6009F1 F9F1F053 3634A135 D3E82016 02990696 3D778D82 1E141178
		F5EA69F4 654EC2B9 E7F7F5E5 F0DE55F6 6B598CCF 9A140B2E 416CFF0C A9E032B9
		70DAE117 AD547C6C CAD696B5 B7652FE0 AC6F1E80 164AA989 492D979F C5A4D5F2
		13515AD7 E9CB99A9 80BDAD5A D5BB4636 ADB9B570 6A67DCDE 75573FD7 1BEF16D7`),
	hexInt(`66FC2A43 2B6EA392 148F1586 7D623068 C6A87BD1 FB94C41E 27FABE65 8E015A87
		371E9474 4C96FEDA 449AE956 3F8BC446 CBFDA85D 5D00EF57 7072DA8F 541721BE
		EE0FAED1 828EAB90 B99DFB01 38C78433 55DF0460 B4A9FD74 B4F1A32B CAFA1FFA
		D682C033 A7942BCC E3720F20 B9B7B040 3C8CAE87 B7A0042A CDE0FAB3 6461EA46`),
	128)

// ParameterSet1 returns MIKEY-SAKKE Parameter Set 1 (RFC 6509 Appendix A).
// The returned value is shared and must not be modified.
func ParameterSet1() *Params { return paramSet1 }

// ParamsByID returns the parameter set registered under the SAKKE params
// value of the MIKEY SAKKE payload (RFC 6509 §4.2, §7).
func ParamsByID(id uint8) (*Params, error) {
	if id == 1 {
		return paramSet1, nil
	}
	return nil, fmt.Errorf("sakke: unknown SAKKE parameter set %d (only 1 is registered)", id)
}
