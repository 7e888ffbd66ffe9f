{# The export contract's money rules, written once; quotients go through exact_divide (DuckDB divides in floats). #}
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

{%- macro round_money(amount) -%}
    round({{ amount }}, 2)
{%- endmacro -%}

{%- macro exact_numeric_type() -%}
    {{ return(adapter.dispatch('exact_numeric_type', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__exact_numeric_type() -%}decimal(38, 10){%- endmacro -%}

{%- macro postgres__exact_numeric_type() -%}numeric{%- endmacro -%}

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

{%- macro as_exact_numeric(expression) -%}
    {{ return(adapter.dispatch('as_exact_numeric', 'orders_warehouse')(expression)) }}
{%- endmacro -%}

{%- macro default__as_exact_numeric(expression) -%}
    cast({{ expression }} as {{ exact_numeric_type() }})
{%- endmacro -%}

{%- macro postgres__as_exact_numeric(expression) -%}
    {{ expression }}
{%- endmacro -%}

{#- Spark cuts a decimal result to 6 decimals past 38 digits: its operands are narrowed to what the export needs. #}
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
