module example.com/pricing

go 1.21

require example.com/money v1.2.0
