{#- An expression as a double-precision float: the type of the churn features' ratios and averages. -#}
{%- macro as_double(expression) -%}
    {{ return(adapter.dispatch('as_double', 'orders_warehouse')(expression)) }}
{%- endmacro -%}

{%- macro default__as_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro -%}

{%- macro postgres__as_double(expression) -%}
    cast({{ expression }} as double precision)
{%- endmacro -%}

{#- The later (later_of) or earlier (earlier_of) of two values, either of which may be NULL (then the other). -#}
{%- macro later_of(first, second) -%}
    case when {{ second }} is null or {{ first }} >= {{ second }} then {{ first }} else {{ second }} end
{%- endmacro -%}

{%- macro earlier_of(first, second) -%}
    case when {{ second }} is null or {{ first }} <= {{ second }} then {{ first }} else {{ second }} end
{%- endmacro -%}
