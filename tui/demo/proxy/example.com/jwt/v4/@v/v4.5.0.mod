module example.com/jwt/v4

go 1.16
