"""The simulation model of one replication, built from a resolved scenario.

:func:`jitsim.model.network.build` makes the day calendar (:mod:`~jitsim.model.calendar`) and,
through :mod:`~jitsim.model.builder`, every part complete: suppliers
(:mod:`~jitsim.model.supplier`), customers (:mod:`~jitsim.model.customer`), stock points
(:mod:`~jitsim.model.stock_point`) with their lanes (:mod:`~jitsim.model.lane`), incoming
inspection (:mod:`~jitsim.model.inspection`), backup (:mod:`~jitsim.model.sourcing`) and
expediting (:mod:`~jitsim.model.expedite`), plants (:mod:`~jitsim.model.plant`) and
disruptions (:mod:`jitsim.model.disruptions`). :class:`~jitsim.model.network.Network` runs the
days; :mod:`~jitsim.model.kpis` turns a finished run into its KPI record.
"""
