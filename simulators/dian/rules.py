"""Rule codes and texts, formatted as DIAN writes them in ErrorMessage (reference §6.6, §8).

Texts are DIAN's where the reference quotes them. Invoice rules start with F, credit-note rules with
C (FAD06 / CAD06). ``ZB01``, ``ZE02``, ``ZD0x``, ``90`` and ``VLR01`` carry no document letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["Rechazo", "Notificación"]

TEXTS: dict[str, str] = {
    "ZB01": "Fallo en el esquema XML del archivo",
    "ZE02": "Valor de la firma inválido.",
    "ZE02-POLICY": "Política de firma inválida.",
    "ZD05": "Cadena de confianza del certificado no pudo ser validada.",
    "ZD06": "[Missing X509Certificate node]",
    "ZD07": "Certificado aún no vigente o expirado.",
    "90": "Documento procesado anteriormente.",
    "VLR01": "Valores monetarios/porcentajes deben ser positivos.",
    "AD02": "CustomizationID no indica un valor válido para el tipo de operación",
    "AD05": "El número del documento debe tener entre 1 y 20 caracteres",
    "AD05a": "No se permiten espacios o guiones en el número del documento",
    "AD05d": "Número de factura no está contenido en el rango de numeración autorizado",
    "AD06": "Valor del {key} no está calculado correctamente.",
    "AD09a": "Fecha de emisión anterior a la fecha de inicio de la autorización de la numeración",
    "AD09e": "La fecha de generación del documento es diferente a la fecha de firma del documento",
    "AD15a": "Código de divisa inválido",
    "AD02a": "El concepto de corrección 2 (anulación) requiere CustomizationID 20",
    "AB05a": "No se encuentra el número de autorización del rango de numeración otorgado",
    "AB07b": "Fecha inicial del rango de numeración informado no corresponde a la fecha inicial de los rangos "
    "vigentes del contribuyente",
    "AB08b": "Fecha final del rango de numeración informado no corresponde a la fecha final de los rangos "
    "vigentes del contribuyente",
    "AB10b": "El prefijo no corresponde al prefijo de la autorización de numeración",
    "AB15": "InvoiceSource no corresponde a Colombia (CO)",
    "AB27b": "Huella no corresponde a un software autorizado para este OFE.",
    "AB31": "AuthorizationProviderID no corresponde al NIT de la DIAN (800197268)",
    "AB34": "El DV del NIT no esta informado o no es correcto",
    "AJ24": "El DV del NIT del emisor no está correctamente calculado",
    "AK24": "El DV del NIT del adquirente no está correctamente calculado",
    "AS02": "(R) Valor total de un tributo no corresponde a la suma de todas las informaciones correspondientes a "
    "cada una de las tarifas informadas en este documento para este tributo",
    "AS07": "El valor del tributo no corresponde a la base imponible por la tarifa",
    "AX07": "El valor del tributo de la línea no corresponde a la base imponible por la tarifa",
    "AU02": "Valor Bruto no corresponde a la suma de los valores de las líneas de detalle",
    "AU04": "Base Imponible es distinto a la suma de los valores de las bases imponibles de todas líneas de "
    "detalle.",
    "AU06": "Valor Bruto más tributos es diferente a Valor Bruto de la factura que contienen el valor comercial "
    "más la Suma de los Tributos de todas las líneas de detalle.",
    "AU14": "Valor a Pagar de Factura es distinto de la Suma de Valor Bruto más tributos - Valor del Descuento "
    "Total + Valor del Cargo Total",
    "AV02": "LineCountNumeric no corresponde a la cantidad de líneas del documento",
    "BG02": "Se requiere obligatoriamente referencia a documento",
    "BG04a": "Documento referenciado no existe en los registros de la DIAN",
    "BG04b": "Documento referenciado no pertenece al emisor",
    "BG06": "Fecha de emisión de la nota es anterior a la fecha de emisión de FE referenciada",
}
_LETTERLESS = frozenset({"ZB01", "ZE02", "ZE02-POLICY", "ZD05", "ZD06", "ZD07", "90", "VLR01"})


@dataclass(frozen=True)
class RuleMessage:
    code: str
    text: str
    level: Level = "Rechazo"

    def render(self) -> str:
        return f"Regla: {self.code}, {self.level}: {self.text}"


def rule(name: str, letter: str = "F", /, *, detail: str | None = None, level: Level = "Rechazo",
         **values: str) -> RuleMessage:
    text = TEXTS[name].format(**values) if values else TEXTS[name]
    if detail:
        text = f"{text} ({detail})"
    code = name.removesuffix("-POLICY")
    return RuleMessage(code if name in _LETTERLESS else f"{letter}{code}", text, level)
