/** A realistic 2 KB HTML customer email: greeting, text, a quoted reply and a signature. */
export function sampleHtml(): string {
  return `<html><body><div dir="ltr"><p>Sehr geehrte Damen und Herren,</p>
<p>hiermit teile ich Ihnen meinen aktuellen Zählerstand mit. Der Stromzähler mit der Nummer
<b>1ESY1160123456</b> zeigt heute <b>12.345,6 kWh</b>. Bitte passen Sie meinen monatlichen
Abschlag entsprechend an, da ich im letzten Jahr deutlich weniger verbraucht habe als geschätzt.</p>
<p>Außerdem habe ich eine Frage zu meiner letzten Rechnung vom 15.02.2024: Dort ist eine
Grundgebühr aufgeführt, die höher ist als im Vertrag vereinbart. Könnten Sie das bitte prüfen?</p>
<p>Meine Vertragsnummer lautet 4711-0815, meine Kundennummer 100234567.</p>
<p>Zum 1. Mai ziehe ich außerdem in eine neue Wohnung (Neue Straße 5, 12345 Musterstadt). Bitte teilen Sie mir mit,
ob ich den Vertrag mitnehmen kann oder ob ich dafür ein Formular ausfüllen muss. Den Zählerstand in der neuen Wohnung
reiche ich nach der Übergabe nach.</p>
<p>Vielen Dank im Voraus für Ihre Mühe. Die Bestätigung senden Sie mir bitte per E-Mail.</p>
<p>Mit freundlichen Grüßen<br>Max Mustermann<br>Musterstraße 12<br>12345 Musterstadt<br>Tel. 0170 1234567</p>
<p style="font-size:10px;color:#888888">Diese E-Mail kann vertrauliche Informationen enthalten. Wenn Sie nicht der richtige Adressat sind,
informieren Sie bitte sofort den Absender und vernichten Sie diese E-Mail.</p>
</div><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Am Mo., 1. März 2024 um 10:00 Uhr schrieb Kundenservice &lt;service@example.de&gt;:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">
<p>Sehr geehrter Herr Mustermann,</p><p>vielen Dank für Ihre Nachricht. Bitte teilen Sie uns Ihren aktuellen Zählerstand mit,
damit wir Ihre Abschlagszahlung überprüfen können. Sie können den Zählerstand auch bequem im Kundenportal eingeben.</p>
<p>Mit freundlichen Grüßen<br>Ihr Kundenservice</p></blockquote></div></body></html>`;
}
