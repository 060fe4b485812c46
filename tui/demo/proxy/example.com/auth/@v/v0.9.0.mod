module example.com/auth

go 1.20

require (
	example.org/x/crypto v0.13.0
	example.com/jwt v3.2.0+incompatible
	example.com/config v1.0.3
)
