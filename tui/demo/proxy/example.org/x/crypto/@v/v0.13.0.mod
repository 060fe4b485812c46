module example.org/x/crypto

go 1.17

require example.org/x/sys v0.12.0
