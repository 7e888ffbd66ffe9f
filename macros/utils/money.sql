{#
    The money rules of the export contract, written once.

    Net unit price = unit_price / (1 + tax_rate) when prices include tax, else unit_price.
    Net line amount = quantity x net unit price; gross line amount adds the tax back.
    When prices include tax the gross amount is exactly quantity x unit_price (what the customer paid),
    and the net amount is derived from it; otherwise the net amount is exact and the tax is added.
    Money stays exact numeric (never floating point); round only for display, with round_money.
    Every amount goes through as_exact_numeric: a no-op on PostgreSQL, whose numeric divides exactly; a cast
    back to exact_numeric_type() on engines that divide decimals in floating point (DuckDB).
#}
{%- macro net_unit_price(unit_price, tax_rate, prices_include_tax) -%}
    {%- set amount -%}
    case
        when {{ prices_include_tax }} then {{ unit_price }} / (1 + {{ tax_rate }})
        else {{ unit_price }}
    end
    {%- endset -%}
    {{ as_exact_numeric(amount) }}
{%- endmacro -%}

{%- macro line_net_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
    {%- set amount -%}
    case
        when {{ prices_include_tax }} then {{ quantity }} * {{ unit_price }} / (1 + {{ tax_rate }})
        else {{ quantity }} * {{ unit_price }}
    end
    {%- endset -%}
    {{ as_exact_numeric(amount) }}
{%- endmacro -%}

{%- macro line_gross_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
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
