{#
    The money rules of the export contract, written once.

    Net unit price = unit_price / (1 + tax_rate) when prices include tax, else unit_price.
    Net line amount = quantity x net unit price; gross line amount adds the tax back.
    When prices include tax the gross amount is exactly quantity x unit_price (what the customer paid),
    and the net amount is derived from it; otherwise the net amount is exact and the tax is added.
    Money stays exact numeric (never floating point); round only for display, with round_money.
#}
{%- macro net_unit_price(unit_price, tax_rate, prices_include_tax) -%}
    case
        when {{ prices_include_tax }} then {{ unit_price }} / (1 + {{ tax_rate }})
        else {{ unit_price }}
    end
{%- endmacro -%}

{%- macro line_net_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
    case
        when {{ prices_include_tax }} then {{ quantity }} * {{ unit_price }} / (1 + {{ tax_rate }})
        else {{ quantity }} * {{ unit_price }}
    end
{%- endmacro -%}

{%- macro line_gross_amount(quantity, unit_price, tax_rate, prices_include_tax) -%}
    case
        when {{ prices_include_tax }} then {{ quantity }} * {{ unit_price }}
        else {{ quantity }} * {{ unit_price }} * (1 + {{ tax_rate }})
    end
{%- endmacro -%}

{# Display rounding: to the cent, half away from zero (PostgreSQL numeric round). #}
{%- macro round_money(amount) -%}
    round({{ amount }}, 2)
{%- endmacro -%}
