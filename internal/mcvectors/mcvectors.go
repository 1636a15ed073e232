// Package mcvectors holds, as values, the mission-critical MIKEY-SAKKE
// test vectors a MC vendor published, for the tests of mikey, dissect and
// the command: UIDs with their inputs, a KMS certificate, four users' key
// sets for key period 236 and four I_MESSAGEs built with them, with the
// keys they carry; and the SRTP keys of group call media.
//
// Source of every value below: github.com/Streamwide/sw_mikey_sakke, file
// StreamwideTestVectors.md, version v5, at commit
// f599c2a0d2aa76391d173294bda56f108a39aba5 (tag 1.3.6). GroupSRTPs (the
// SRTP keys of group call media, Etherstack's vectors) come from another
// file of that repository, named at them. Only the numbers,
// URIs and encoded messages are taken; the names and the layout are ours.
// The repository is not copied into this project.
package mcvectors

import "encoding/base64"

// Source names the publication (for key sources and messages).
const Source = "Streamwide/sw_mikey_sakke StreamwideTestVectors.md v5 @ f599c2a0"

// UID is a MIKEY-SAKKE UID (3GPP TS 33.180 §F.2.1) with its inputs.
type UID struct {
	URI, KMSURI    string
	Length, Offset uint64 // key period length and offset, seconds
	PeriodNo       uint64
	UID            string // hex
}

// UIDs are the published UIDs (section "MIKEYSAKKE-UID", tests 1 to 5;
// source: see the package comment).
var UIDs = []UID{
	{URI: "sip:user@example.org", KMSURI: "kms.example.org", Length: 2592000, Offset: 0, PeriodNo: 1,
		UID: "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4"},
	{URI: "sip:user@example.org", KMSURI: "kms.example.org", Length: 10, Offset: 0, PeriodNo: 10,
		UID: "94fb1a697c15d7e9d6b7062066affebda2d9e346e0090d67525c0c3ce666eafa"},
	{URI: "sip:user@example.org", KMSURI: "kms.example.org", Length: 25920000, Offset: 100, PeriodNo: 1,
		UID: "3c0ad8828cfae1ad1d08b27cc7b61258c6cfcd405081b68cd778f1e1c7f562a7"},
	{URI: "sip:user@example.org", KMSURI: "kms.example.org", Length: 25920000, Offset: 100, PeriodNo: 2048,
		UID: "c88b3fa5e36a08985d10f7b31a631b0265e8249f0312435e4984dbc3765c7f0c"},
	{URI: "sip:user@example.org", KMSURI: "kms.example.org", Length: 25920000, Offset: 45920000, PeriodNo: 20393844,
		UID: "8dc05540167345538475101514f4eabd384abd6ba665782abb312ecaf05934e1"},
}

// KMSCert is a KMS certificate's values (TS 33.180 §D.3.2.2).
type KMSCert struct {
	URI            string
	UserIDFormat   int    // 2: UIDs of §F.2.1
	Length, Offset uint64 // UserKeyPeriod, UserKeyOffset
	Z, KPAK        string // hex: PubEncKey, PubAuthKey
}

// KMS is the published KMS certificate ("KMS Init"; source: see the
// package comment).
var KMS = KMSCert{
	URI:          "kms.mydev.streamwide.com",
	UserIDFormat: 2,
	Length:       16777215,
	Offset:       0,
	Z:            "046fc2cf00fd48467abe7c02f383002fc49b6632bf0f7071d958f1f128154e6fae1f69bb91691a191a358fe647a3e020d2365d52f81fb3af4ea271654f1a880274c1ae228ac72cc15d535394321bd2143cea2619fb3b0c6ce7a5f72714d8ef4d11cb0c991c3376ca31b168b01e66021effdbf7920bd66615e6f0d6a1e61c06e72e61b4138738c11bc249a3849e9c4cff327a7d0d2769c3d97a37f86adfb13baa257e628ce236f40360d3f7b8d95b0e3fcc19417602d7d6b8928b855eae9129be1f0b87d33e884906dd95a04a8bd61240bad60f9dfada64806726f8f08b86343f54046416f5198116e9798c218bcf9ca07d0baa4be50062bfe54e44495b6ed59cb6",
	KPAK:         "0448f9c2c48b50735f6bc70ec6691073243f1e0bd83cc73bb936d61ffcb2d6049a5b297e8205b29fbd8591cb582d6402add21451ce4beebeaaa7520e93b11cf28f",
}

// KeySet is a user's key set for one key period (TS 33.180 §D.3.2.3),
// issued by KMS.
type KeySet struct {
	Name          string // our short name of the user
	URI           string // UserUri
	UID           string // hex UserID
	PeriodNo      uint64 // KeyPeriodNo
	RSK, SSK, PVT string // hex: UserDecryptKey, UserSigningKeySSK, UserPubTokenPVT
}

// The published key sets ("KMS KeyProv for GMS", "... for Alice", "... for
// IWF", "... for Bob"; source: see the package comment).
var (
	GMS = KeySet{
		Name:     "GMS",
		URI:      "gms@streamwide.com",
		UID:      "15a4d5b12856538d02d91fedbb766e6dd377b014c92e216666c8fb678608d20e",
		PeriodNo: 236,
		RSK:      "043f591611206a0913ecb68ab28e086ac1148fbd5ce4a40bf00a186653ecf6f0055f4f1b5ef8a4b527d33dd28c731c7b2829d6329283533d499b04c31e2d30437919f486ef76c8a6cbca2f279724539e52b3a1760077670fc35756a9417625d57876717811bd3f1fb8fb473b547ba874a8f5d747cd63b2ebcdb150f5b454a46ec2512a86f0672439d3121a0eddf5995f18e1c77e3423ea34427b62281977e3afb9b5c8766c5a32e1f9b29f0bb12d46a03f8f3ec7357e59f969473bcf4d4cdc3cdedb6e7982e6477117a3c02d86165896485323c96f53a330e5e995ce83b23127542f2177916d5007a5aa116680093911d4bc587cd94e2bdec36d7290ed4f2d3998",
		SSK:      "2e7237faa18a874b88d955199dea974b7d0fefcbbae1946baf659b26a4d05a5e",
		PVT:      "0468a24d49b184d7008d22f63a415debd38bfa9295f066fa6ada5951c2322d2eca1d6f1d994f22710daef776d9c54d9a338f32395080d6f2bdffb6c7895f12cda2",
	}
	Alice = KeySet{
		Name:     "Alice",
		URI:      "sip:alice@streamwide.com",
		UID:      "b5c452309219da6a3d805615548d6c1b0f4de45a6b48fb13d9a24d857fc03dc4",
		PeriodNo: 236,
		RSK:      "0428b44cd6dffd2e7fe73521a5c514738287df177c1ae841ba6f5d72601b9c6bc5509c3fd800ac1fee833dd81c74ab39d2740a10fba25cd9b0debb25a3da958cf52e35e863d2db37ea22b318d23d9911d36f585eb110e430123f3cd84d2692a4013bc7f59533e5da2083d8e6e8b96764eb8e8be599dc2361e7428460b8490200417baa5bac10efaa5262301b3110f6da9e8bc9c4b62827c3d4f4070a8e341346a326a23f219d2a99298036615956bb85a60cf303d15d469c1ee837c29cba5dccb28d74e4ba0d83dac9400d72eecb1817cc60127203f1321e82b7a24f60c07f1804a9895cbb455a94694a5ef627b1c631760295dad53f0eed1714ba52d5a932bddd",
		SSK:      "a1be54a56c7905c06abd2be177fc0c137a32278c9067550b0f0d93fb630d2428",
		PVT:      "0426cd8b0a33af9b381ee53ebc6841aed5c1c98fb0d2beb9c7ff98d7c79808d1f566659f6b735016192dd9984df56e54f3f95c76ac4638c1f3d3228f3c752c8cc8",
	}
	IWF = KeySet{
		Name:     "IWF",
		URI:      "sip:iwf_legacy_v1.1.x_format@streamwide.com",
		UID:      "edb3cd733168a81106e366c2ddc0e4bc323e9069d48edfe2b3b0f7033bae962a",
		PeriodNo: 236,
		RSK:      "0424b74f88f8fb0cc7b1fa8b48ef1cd676ac776a3dc98d41c7e334308a7068906d44eb13ea49c472b8835685a4151a2705fb78e0371ff351d7ed38de0977ca10ad23c91a569010718f0498daa45f46d8c57e40d96081b839d59c0a1ce06a5044f53ec9b379e730da0605cafcb922b018023c463478d63298bad759dbcae40e8120703f7badd9e5635a22e2a95d7fa94455225065d1d417b3eba279a77882d50425336ed8c5529c608e1777dbad5da9cb23d2fdc5ff0225b1c2237463ac107d9a9f3160e2e4b0e6601fa7609fe28640d8b03cdda21411370a5610758436ab98793caef1391ff7eaa01ee15e4893d72c648eba206d17199cf416e56e09e7bca3ae3d",
		SSK:      "ed3162edf45f6e6f0f0939a02c84795c2ab78f714c91fe0254ca0f48eacf6a20",
		PVT:      "0411d4c57e7b945588148a55f9e88bd1d62017f4fab600af6bf4dcdb05e6f75e9441e20f7a9e2371ebb34692b941270b52744d1699538b41a4cdf043101e23449d",
	}
	Bob = KeySet{
		Name:     "Bob",
		URI:      "sip:bob@streamwide.com",
		UID:      "780851cda91a9c33f941cd3a2831697e2893264754e363f8a0cef827eb201a81",
		PeriodNo: 236,
		RSK:      "04421d385f108bd51f66abbce40b899efe187dbb08085d9a535fca8766677db317812e48da407235d73399d4d2e2ed4f5a35d7694b64595ce0599e4d3592f5b57ede83890fd798aec2cd96f333d6139d9f7ecfecbb79b769f5fbbc6825beeb25999acdf6fb2edd369176f45db0caf5909aa81512e57064c46ae1c23df9284ffba55741cde0b7a8145fdbea76b4ee243d79bd70db4300c55570f342ca0df98e8f3b410e1df4ccbdd279403d3da06cad4c5db8d4e078a191a7a0545391e8ca72e51c793448c4ba8be71fbac90a84ded3d6127c4d7438a3132f354b283d65da75a5070ecd96f02d694c505efcb05caf2290bf15ee45c15a0e652496b88acbaf1d26a3",
		SSK:      "a36885736f21b6ceba48448093086f4ada1ce099bd77e3047c04529ac3f4d4eb",
		PVT:      "049c203fda536ae9481eb7f3a1e4662d0adaa6a3b7d3fff0c2dfadd148a754af424d434253b62dcd08eb6aedb6cd091e09f8539d41d3ef2d0ce07e8ead352f2dd9",
	}
)

// Users are the four key sets.
var Users = []KeySet{GMS, Alice, Bob, IWF}

// Message is a published I_MESSAGE with the key it distributes.
type Message struct {
	Name                 string // our name of the test
	Purpose              string // the key's purpose: GMK, CSK or PCK
	Key                  string // hex: the key (the SSV)
	KeyID                string // hex: its GMK-ID, CSK-ID or PCK-ID
	Rand                 string // hex: the RAND of the message
	GUKID                string // hex: the member's GUK-ID (a GMK's, if given)
	Initiator, Responder string // URIs
	Base64               string // the I_MESSAGE in base64 (published after "mikey ")
}

// Wire is the I_MESSAGE's bytes.
func (m Message) Wire() []byte {
	b, err := base64.StdEncoding.DecodeString(m.Base64)
	if err != nil {
		panic("mcvectors: " + m.Name + ": " + err.Error())
	}
	return b
}

// The published I_MESSAGEs ("Test 1: GMK", "Test 2: CSK", "Test 3: PCK",
// "Test 4: GMK (legacy format for IWF)" of section "MIKEYSAKKE-PAYLOAD";
// source: see the package comment).
var (
	GMK = Message{
		Name:      "GMK to a group member",
		Purpose:   "GMK",
		Key:       "07d1a1677ac36d8e81620484689b3c2d",
		KeyID:     "0df9bc39",
		Rand:      "ca2f5d51ff0866362c1d85a56f84651e",
		GUKID:     "06a12aea",
		Initiator: "gms@streamwide.com",
		Responder: "sip:alice@streamwide.com",
		Base64:    "ARoFAQahKuoBAgQAAQAAAAgN+bw5BqEq6gsA7ImNqAAAAAAOEMovXVH/CGY2LB2FpW+EZR4OCAEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgkBACC1xFIwkhnaaj2AVhVUjWwbD03kWmtI+xPZok2Ff8A9xA4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBC3aUP1jhkJ9H82+MG+m8UQpuYzjR5JCHxwWvskS8Mny2EqaxY3EcWJhrcq6qkW8/JHV13Ajl7ONGzddlw0JgInw5TgkvS8nxlQFtZTNDAQNYfgHfB6mt2ngI7pK7TBSWLx6kWJtP9+GOsQBq8XF5sn8lU1oc5QYueVprQxfbvCAeNptCSm0d/8tTS1MRoZinm1ptcc56tfqR7SDGaEf4qIwgi+z6OlimTqd4TfQakk+0SS1N6+FpyTVJaV+vHH+XhbdNEAqvEF4kkVa9uBVbz3oibD6qE5r1p5RPLhMdbFSt43kD3m2W0bywQRLcd83h3ToKJjUVZmiJ1looeUhlmLDlOMS1o5aCogO1Y9BzxcIBAcAR0MAAAAAAQAAAAAAAShwT6Qcj+IPiBwbqw0y2MoGoSrqAAAkTt3Dv4wqSl0/yYSEQBI+fQVNq0MI1QV1kgbMeJ0FpM4OSTZNIIEiJZ8Dj82CPpmzeAtvAA00Ld0hK6wK+/O6TLeVfE6HxgAGWUHFH/27VKKiyKPa0tpfDhlEEnWzJiVzWOD/yzXdBGiiTUmxhNcAjSL2OkFd69OL+pKV8Gb6atpZUcIyLS7KHW8dmU8icQ2u93bZxU2aM48yOVCA1vK9/7bHiV8SzaI=",
	}
	CSK = Message{
		Name:      "CSK",
		Purpose:   "CSK",
		Key:       "e06e65106183547342d3e8a6ce2540a8",
		KeyID:     "2ddd5bf0",
		Rand:      "4d13c41798b82de13b701a9697328edd",
		GUKID:     "",
		Initiator: "sip:alice@streamwide.com",
		Responder: "gms@streamwide.com",
		Base64:    "ARoFAS3dW/ABAgYAAQAAAAQt3VvwCwDsiY2oAAAAAA4QTRPEF5i4LeE7cBqWlzKO3Q4IAQAgtcRSMJIZ2mo9gFYVVI1sGw9N5FprSPsT2aJNhX/APcQOCQEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgYBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20KBwEAGGttcy5teWRldi5zdHJlYW13aWRlLmNvbRoAAAAbAAEGAQEQAgEEBAEMBQEABgEAEgEEEwEAFAEQFQECAREEfQkdJ4BYO/O2WHY5cZ8HZMAMm5n9MLxgvJCOAv+759hNMLBMPPvnEjivXxmb661AVDQ1haLXdN52IbHmBgLJTYeyPQX8CVon6WVshkoTQCMWMRND0jdyGFRlw24VGkYfL2Z+JBvta/dAy4+GZYxTsqXzF7KOqH4f2P/aY5eVHAEvwF2zwUXUB0nOIs8Jtq/7dT+hwB5/mvoQiK+uiFkdwEvltVw6ZCzpWiqO+ly/ulyhYXubtqqFOvKMWLe/dqdaEsOMmsP4ZFTsYYOCU5B9IbrQ02IZDNJlNasQNe/m5MrC5+WcZkTw54G/ViwtQlxhuoi/E8J6XL0bY4n44uXDvmRNXMkLCsMC1y/iJVKWo9EEBwBEQwAAAAABAAAAAAABb37iYqxNp/XQanLehoFqvi3dW/AAACG8cPNwhkxPqPeos5kqzBfSM1U4vqkNYBaZK2uYKuhgCPAggdf8YqSPHsId0HAlWI2c3FevHT8Yd84XlCTMbp/Y8UE/qNnqyYDSyrpmrkj9okfl3jPsNoqzh8uddNZSTDzr5UAEJs2LCjOvmzge5T68aEGu1cHJj7DSvrnH/5jXx5gI0fVmZZ9rc1AWGS3ZmE31blTz+Vx2rEY4wfPTIo88dSyMyA==",
	}
	PCK = Message{
		Name:      "PCK",
		Purpose:   "PCK",
		Key:       "b4c96b703acd5c1bf7d4cc45068d9965",
		KeyID:     "16992638",
		Rand:      "02a28bddaf984c5e0563bc1ce857df83",
		GUKID:     "",
		Initiator: "sip:alice@streamwide.com",
		Responder: "sip:bob@streamwide.com",
		Base64:    "ARoFARaZJjgAAQsA7ImNqAAAAAAOEAKii92vmExeBWO8HOhX34MOCAEAILXEUjCSGdpqPYBWFVSNbBsPTeRaa0j7E9miTYV/wD3EDgkBACB4CFHNqRqcM/lBzTooMWl+KJMmR1TjY/igzvgn6yAagQ4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBF0yVtvyB49KhE+ao3Hj8W+gNROh57Tk5/9BWa2jNv1YLxYpBxV7206wlv/WHWlzz+NgptVcWgECwaekKAGURuP4TA+dRQpkGvqW8wImX2EF8Zjy+a1pOZMZ3YFAYRiYEAAGmOByWKdDDOT0TfgL2pPFXS1CvZ/bZtQL03Q8fL/JInBbnv4dSYiJ9/fkeeqg37yIRsjA3Xfds7k/2o4f0s4NisOs74F2xjE12l3/764H+g1y2rAMAWkjaJbS9jbVfZNGDauoRhq8zuXEXH1c5ftqs4VEPeOPmWjAkW1rQe8KxkZbmtrygtNpBIXVeZZEyorzD+MyQ2zL9xoGVs8cToze4NOxYt19SOInSpGO5Q0vBAcAREMAAAAAAQAAAAAAAfb0FW9YVClhy8qPsQ5m8WcWmSY4AAAhpTVAAi78zLNoUFiVPGjByx4N9U9gccPiQl1eiCiFLm8BIIFAPW9oE9lYM5oS5nQS9bWbJzGv+vWNAh2uUWmyG/OTGMeFzAD0JFMB6zcf7ck7GFns2OEPIGGx+7046le+CihyBCbNiwozr5s4HuU+vGhBrtXByY+w0r65x/+Y18eYCNH1ZmWfa3NQFhkt2ZhN9W5U8/lcdqxGOMHz0yKPPHUsjMg=",
	}
	GMKLegacy = Message{
		Name:      "GMK in the legacy layout",
		Purpose:   "GMK",
		Key:       "07d1a1677ac36d8e81620484689b3c2d",
		KeyID:     "0df9bc39",
		Rand:      "cdd4e71ad92cc090f3a13cb66a2ecb18",
		GUKID:     "",
		Initiator: "gms@streamwide.com",
		Responder: "sip:iwf_legacy_v1.1.x_format@streamwide.com",
		Base64:    "ARoFAQSCCacCAADK/rq+AAAAAAAAAAAAAAAAAAsA7ImNqAAAAAAOEM3U5xrZLMCQ86E8tmouyxgOCAEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgkBACDts81zMWioEQbjZsLdwOS8Mj6QadSO3+KzsPcDO66WKg4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBF6WXZDP1xXQb6fqRvMIIWmyvxj3mWH7CM+1KiNnW67b1ZyKQfnNTTVd6qOmDw5gOl2AJsvvVT2hRmzZENyjyVRp0njGf1jT7kNElNm604PwuYPUrRZfEJkx8S+RlZ4Yzi3e5rQiT51qw2fs6B9Eeikz8G0ERl2OL9hK9Fuhei4VePlS0iDpxuDnUmHik4nTc8F+7ApxagH0YP/6V3EgnLMoBnjW6qBK2F+2BTXNY8uZ3FBmk71ta8O2vg32fhQZpRqv5XE9tMkG0Xdkrk2IwX234rVLlgGudn7kNuQUS2zbsh6FdUYXCEY8zzMIZMCAbEjHkm1CIMlJ+Qj2sTkW8YO4HjdsRwl5Ja6hNciqF54XBAcAEQEAAAABAAAAAAAAAAAAAAAAIIH/fqEkt5+oaoFcfKQ58KNfBa9wOmqCE6kGkoPOHu3amjBGJiTGbSZLzi5SElAtgAIY1zsJxcUoLV+65v9s8THsBGiiTUmxhNcAjSL2OkFd69OL+pKV8Gb6atpZUcIyLS7KHW8dmU8icQ2u93bZxU2aM48yOVCA1vK9/7bHiV8SzaI=",
	}
)

// Messages are the four I_MESSAGEs.
var Messages = []Message{GMK, CSK, PCK, GMKLegacy}

// GroupSRTP is a published derivation of the SRTP master key and salt of
// mission-critical media from a distributed key: for a group call (CS ID
// 4) the GMK is the TGK and the CSB ID is the sending member's GUK-ID (so
// every talker has keys of its own); for the CSK's SRTCP (CS ID 6) the CSB
// ID is the key id. PRF-HMAC-SHA-256 (RFC 3830 §4.1.3).
type GroupSRTP struct {
	Sender   string // the sending member's MC identity
	CSID     uint8
	Key      string // GMK or CSK, hex
	KeyID    string // GMK-ID or CSK-ID, hex
	Rand     string // RAND of the distribution, hex
	GUKID    string // the sender's GUK-ID (empty: the key id is the CSB ID)
	Master   string // SRTP master key, hex
	Salt     string // SRTP master salt (12 bytes), hex
	TestName string
}

// GroupSRTPSource names the publication of GroupSRTPs.
const GroupSRTPSource = "Streamwide/sw_mikey_sakke unit_tests/test_guk.cc @ 90179ad7 (Etherstack's vectors)"

// GroupSRTPs are the Etherstack test vectors Streamwide's library checks:
// github.com/Streamwide/sw_mikey_sakke, file unit_tests/test_guk.cc, tests
// test_vector_etherstack_S01, _S02, _S03 and _SPK, at commit
// 90179ad702005da17203ebfff9006121aa0aa9d1 (the GMK-ID "9bf9d37" there is
// 0x09bf9d37; the SPK test's RAND is the ASCII text "030246a070da332e").
// Only the values are taken.
var GroupSRTPs = []GroupSRTP{
	{TestName: "S01", Sender: "sip:p25user01@etherstack.com", CSID: 4, Key: "fcfe65cd967c58d260b603ccb9a887a9", KeyID: "09bf9d37",
		Rand: "6819e679461120e10ac458cce67b8024", GUKID: "01c8de7b", Master: "64837d2b4d69a266e4489d3807353ad9", Salt: "8b2f081ce8e8bdab1f8d9eb8"},
	{TestName: "S02", Sender: "sip:p25user02@etherstack.co.jp", CSID: 4, Key: "fcfe65cd967c58d260b603ccb9a887a9", KeyID: "09bf9d37",
		Rand: "6819e679461120e10ac458cce67b8024", GUKID: "0abe69d0", Master: "de81b70c4ae0ff3f79364df586c2e0ce", Salt: "750ea7422b4d5a8ff475c6d5"},
	{TestName: "S03", Sender: "sip:92100002447@att.com", CSID: 4, Key: "fcfe65cd967c58d260b603ccb9a887a9", KeyID: "09bf9d37",
		Rand: "6819e679461120e10ac458cce67b8024", GUKID: "0c449727", Master: "f097ac3325f1f784bc8ba4112c5e5f88", Salt: "97a154fb24efbfb353a265e2"},
	{TestName: "SPK", Sender: "sip:92100002447@att.com", CSID: 6, Key: "28ba74447f037dcc09ad7f2576dc2def", KeyID: "1c5f7886",
		Rand: "30333032343661303730646133333265", Master: "185d08cb5a226d19d71679adf5e415be", Salt: "d1d648b2a0040633a3dd72e5"},
}
