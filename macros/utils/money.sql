{#
    The money rules of the export contract, written once.

    Net unit price = unit_price / (1 + tax_rate) when prices include tax, else unit_price.
    Net line amount = quantity x net unit price; gross line amount adds the tax back.
    When prices include tax the gross amount is exactly quantity x unit_price (what the customer paid),
    and the net amount is derived from it; otherwise the net amount is exact and the tax is added.
    Money stays exact numeric (never floating point); round only for display, with round_money.
    Every amount goes through as_exact_numeric (a cast to exact_numeric_type(), a no-op on PostgreSQL) and every
    quotient through exact_divide, since DuckDB divides decimals in floating point.
#}
{%- macro net_unit_price(unit_price, tax_rate, prices_include_tax) -%}
    {%- set unit_price = money_operand(unit_price, 'price') -%}
    {%- set tax_rate = money_operand(tax_rate, 'rate') -%}
    {%- set amount -%}
    case
        when {{ prices_include_tax }} then {{ exact_divide(unit_price, '1 + ' ~ tax_rate) }}
        else {{ unit_price }}
    end
    {%- endset -%}
    {{ as_exact_numeric(amount) }}
{%- endmacro -%}

{%- macro line_net_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
    {%- set quantity = money_operand(quantity, 'quantity') -%}
    {%- set unit_price = money_operand(unit_price, 'price') -%}
    {%- set tax_rate = money_operand(tax_rate, 'rate') -%}
    {%- set amount -%}
    case
        when {{ prices_include_tax }} then {{ exact_divide(quantity ~ ' * ' ~ unit_price, '1 + ' ~ tax_rate) }}
        else {{ quantity }} * {{ unit_price }}
    end
    {%- endset -%}
    {{ as_exact_numeric(amount) }}
{%- endmacro -%}

{%- macro line_gross_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
    {%- set quantity = money_operand(quantity, 'quantity') -%}
    {%- set unit_price = money_operand(unit_price, 'price') -%}
    {%- set tax_rate = money_operand(tax_rate, 'rate') -%}
    {%- set amount -%}
    case
        when {{ prices_include_tax }} then {{ quantity }} * {{ unit_price }}
        else {{ quantity }} * {{ unit_price }} * (1 + {{ tax_rate }})
    end
    {%- endset -%}
    {{ as_exact_numeric(amount) }}
{%- endmacro -%}

{# Display rounding: to the cent, half away from zero (PostgreSQL numeric round). #}
{%- macro round_money(amount) -%}
    round({{ amount }}, 2)
{%- endmacro -%}

{#-
    The type of exact numbers (money, rates, quantities as exported). PostgreSQL's numeric has no limit;
    elsewhere `numeric` means little (decimal(18, 3) in DuckDB, decimal(10, 0) in Spark), so the portable type
    is a wide decimal: 38 digits, 10 after the point. The marts' contracts declare the same type.
#}
{%- macro exact_numeric_type() -%}
    {{ return(adapter.dispatch('exact_numeric_type', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__exact_numeric_type() -%}decimal(38, 10){%- endmacro -%}

{%- macro postgres__exact_numeric_type() -%}numeric{%- endmacro -%}

{#-
    numerator / denominator, exactly: PostgreSQL's numeric and Spark's decimal divide in decimal. DuckDB's
    decimal division returns a DOUBLE (16 digits: a sum of 100,000 orders drifted by 3.5e-6), so there the
    quotient is an integer division of the operands in units of 10^-10, rounded half away from zero to the 10
    decimals of exact_numeric_type(); the operands stay below 10^18 (amounts below 10^8).
#}
{%- macro exact_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('exact_divide', 'orders_warehouse')(numerator, denominator)) }}
{%- endmacro -%}

{%- macro default__exact_divide(numerator, denominator) -%}
    ({{ numerator }}) / ({{ denominator }})
{%- endmacro -%}

{%- macro duckdb__exact_divide(numerator, denominator) -%}
    {%- set scaled_numerator = 'cast(abs(' ~ numerator ~ ') * 10000000000 as hugeint)' -%}
    {%- set scaled_denominator = 'cast((' ~ denominator ~ ') * 10000000000 as hugeint)' -%}
    (
        cast(
            sign({{ numerator }})
            * (({{ scaled_numerator }} * 20000000000 + {{ scaled_denominator }}) // (2 * {{ scaled_denominator }}))
            as decimal(28, 0)
        )
        * cast(0.0000000001 as decimal(11, 10))
    )
{%- endmacro -%}

{#- An expression as an exact number (see exact_numeric_type). #}
{%- macro as_exact_numeric(expression) -%}
    {{ return(adapter.dispatch('as_exact_numeric', 'orders_warehouse')(expression)) }}
{%- endmacro -%}

{%- macro default__as_exact_numeric(expression) -%}
    cast({{ expression }} as {{ exact_numeric_type() }})
{%- endmacro -%}

{%- macro postgres__as_exact_numeric(expression) -%}
    {{ expression }}
{%- endmacro -%}

{#-
    An operand of the money rules, as the engine's arithmetic needs it. Spark keeps at most 38 digits in a
    decimal result and cuts the scale to 6 when the operands' declared digits exceed them (decimal(38, 10) x
    decimal(38, 10) gives 6 decimals): its operands are narrowed to what the export's values need, so that
    products are exact and quotients keep 12 decimals or more. Quantities: decimal(7, 0) (at most
    max_line_quantity); prices: decimal(18, 10) (below 100,000,000); rates: decimal(12, 10) (below 1, or the
    row is quarantined); amounts (a line's gross, to divide it): decimal(28, 10). A price of 100,000,000 or
    more becomes NULL on Spark (and fails the not_null tests).
    Elsewhere the operand is unchanged.
#}
{%- macro money_operand(expression, kind) -%}
    {{ return(adapter.dispatch('money_operand', 'orders_warehouse')(expression, kind)) }}
{%- endmacro -%}

{%- macro default__money_operand(expression, kind) -%}
    {{ return(expression) }}
{%- endmacro -%}

{%- macro spark__money_operand(expression, kind) -%}
    {%- set types = {
        'quantity': 'decimal(7, 0)',
        'price': 'decimal(18, 10)',
        'rate': 'decimal(12, 10)',
        'amount': 'decimal(28, 10)',
    } -%}
    {{ return('cast(' ~ expression ~ ' as ' ~ types[kind] ~ ')') }}
{%- endmacro -%}
